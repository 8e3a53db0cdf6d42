-- CreateTable
CREATE TABLE "Model" (
    "id" TEXT NOT NULL,
    "task" TEXT NOT NULL,
    "inputWidth" INTEGER NOT NULL,
    "inputHeight" INTEGER NOT NULL,
    "numClasses" INTEGER NOT NULL,

    CONSTRAINT "Model_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Image" (
    "id" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "format" TEXT NOT NULL,
    "byteLength" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Image_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Explanation" (
    "id" TEXT NOT NULL,
    "requestKey" TEXT NOT NULL,
    "imageId" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "layer" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "methods" JSONB NOT NULL,
    "predictions" JSONB NOT NULL,
    "computeMs" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Explanation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Heatmap" (
    "explanationId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "method" TEXT NOT NULL,
    "classIndex" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "raw" BYTEA NOT NULL,

    CONSTRAINT "Heatmap_pkey" PRIMARY KEY ("explanationId","position")
);

-- CreateIndex
CREATE UNIQUE INDEX "Explanation_requestKey_key" ON "Explanation"("requestKey");

-- CreateIndex
CREATE INDEX "Explanation_imageId_createdAt_id_idx" ON "Explanation"("imageId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Explanation_modelId_createdAt_id_idx" ON "Explanation"("modelId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Explanation_createdAt_id_idx" ON "Explanation"("createdAt", "id");

-- AddForeignKey
ALTER TABLE "Explanation" ADD CONSTRAINT "Explanation_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Explanation" ADD CONSTRAINT "Explanation_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Heatmap" ADD CONSTRAINT "Heatmap_explanationId_fkey" FOREIGN KEY ("explanationId") REFERENCES "Explanation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "Model" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "task" TEXT NOT NULL,
    "inputWidth" INTEGER NOT NULL,
    "inputHeight" INTEGER NOT NULL,
    "numClasses" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "Image" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "format" TEXT NOT NULL,
    "byteLength" INTEGER NOT NULL,
    "bytes" BLOB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Explanation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "requestKey" TEXT NOT NULL,
    "imageId" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "layer" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "methods" JSONB NOT NULL,
    "predictions" JSONB NOT NULL,
    "computeMs" REAL NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Explanation_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Explanation_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Heatmap" (
    "explanationId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "method" TEXT NOT NULL,
    "classIndex" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "score" REAL NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "raw" BLOB NOT NULL,

    PRIMARY KEY ("explanationId", "position"),
    CONSTRAINT "Heatmap_explanationId_fkey" FOREIGN KEY ("explanationId") REFERENCES "Explanation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Explanation_requestKey_key" ON "Explanation"("requestKey");

-- CreateIndex
CREATE INDEX "Explanation_imageId_createdAt_id_idx" ON "Explanation"("imageId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Explanation_modelId_createdAt_id_idx" ON "Explanation"("modelId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Explanation_createdAt_id_idx" ON "Explanation"("createdAt", "id");

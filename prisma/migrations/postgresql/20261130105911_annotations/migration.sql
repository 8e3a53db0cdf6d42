-- CreateTable
CREATE TABLE "Annotation" (
    "id" TEXT NOT NULL,
    "imageId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "annotator" TEXT NOT NULL,
    "task" TEXT NOT NULL,
    "classIndex" INTEGER NOT NULL DEFAULT -1,
    "model" TEXT,
    "prompt" TEXT,
    "nonce" TEXT,
    "points" JSONB NOT NULL,
    "durationMs" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Annotation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Annotation_nonce_key" ON "Annotation"("nonce");

-- CreateIndex
CREATE INDEX "Annotation_imageId_source_createdAt_idx" ON "Annotation"("imageId", "source", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Annotation_imageId_annotator_task_classIndex_key" ON "Annotation"("imageId", "annotator", "task", "classIndex");

-- AddForeignKey
ALTER TABLE "Annotation" ADD CONSTRAINT "Annotation_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

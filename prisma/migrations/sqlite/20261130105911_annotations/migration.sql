-- CreateTable
CREATE TABLE "Annotation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "imageId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "annotator" TEXT NOT NULL,
    "task" TEXT NOT NULL,
    "classIndex" INTEGER NOT NULL DEFAULT -1,
    "model" TEXT,
    "prompt" TEXT,
    "nonce" TEXT,
    "points" JSONB NOT NULL,
    "durationMs" REAL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Annotation_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Annotation_nonce_key" ON "Annotation"("nonce");

-- CreateIndex
CREATE INDEX "Annotation_imageId_source_createdAt_idx" ON "Annotation"("imageId", "source", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Annotation_imageId_annotator_task_classIndex_key" ON "Annotation"("imageId", "annotator", "task", "classIndex");

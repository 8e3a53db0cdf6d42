-- CreateTable
CREATE TABLE "BatchJob" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "model" TEXT NOT NULL,
    "terms" JSONB NOT NULL,
    "total" INTEGER NOT NULL,
    "runner" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "BatchItem" (
    "batchId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "imageId" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'QUEUED',
    "explanationId" TEXT,
    "error" TEXT,
    "jobId" TEXT,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("batchId", "position"),
    CONSTRAINT "BatchItem_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "BatchJob" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "BatchItem_batchId_state_idx" ON "BatchItem"("batchId", "state");

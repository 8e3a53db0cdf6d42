-- CreateTable
CREATE TABLE "BatchJob" (
    "id" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "terms" JSONB NOT NULL,
    "total" INTEGER NOT NULL,
    "runner" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "BatchJob_pkey" PRIMARY KEY ("id")
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
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BatchItem_pkey" PRIMARY KEY ("batchId","position")
);

-- CreateIndex
CREATE INDEX "BatchItem_batchId_state_idx" ON "BatchItem"("batchId", "state");

-- AddForeignKey
ALTER TABLE "BatchItem" ADD CONSTRAINT "BatchItem_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "BatchJob"("id") ON DELETE CASCADE ON UPDATE CASCADE;

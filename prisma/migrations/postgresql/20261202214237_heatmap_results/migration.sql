-- CreateTable
CREATE TABLE "HeatmapResult" (
    "explanationId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "optionsKey" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "computeMs" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "HeatmapResult_pkey" PRIMARY KEY ("explanationId","position","kind","optionsKey")
);

-- AddForeignKey
ALTER TABLE "HeatmapResult" ADD CONSTRAINT "HeatmapResult_explanationId_position_fkey" FOREIGN KEY ("explanationId", "position") REFERENCES "Heatmap"("explanationId", "position") ON DELETE CASCADE ON UPDATE CASCADE;

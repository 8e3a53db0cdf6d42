-- AlterTable
ALTER TABLE "Explanation" ADD COLUMN "detections" JSONB;

-- AlterTable
ALTER TABLE "Heatmap" ADD COLUMN "box" INTEGER;

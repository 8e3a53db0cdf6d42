-- AlterTable
ALTER TABLE "Explanation" ADD COLUMN     "attributionOptions" JSONB;

-- AlterTable
ALTER TABLE "Heatmap" ADD COLUMN     "channels" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "convergenceDelta" DOUBLE PRECISION,
ADD COLUMN     "encoding" TEXT NOT NULL DEFAULT 'f32',
ADD COLUMN     "scale" DOUBLE PRECISION;

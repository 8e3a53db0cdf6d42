-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "assignment" TEXT NOT NULL DEFAULT 'BALANCED';

-- AlterTable
ALTER TABLE "CampaignImage" ADD COLUMN     "stability" DOUBLE PRECISION,
ADD COLUMN     "stabilityAt" INTEGER NOT NULL DEFAULT 0;

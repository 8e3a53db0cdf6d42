-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "perImage" INTEGER NOT NULL,
    "perSession" INTEGER NOT NULL,
    "maxClicks" INTEGER NOT NULL,
    "timeLimitSeconds" DOUBLE PRECISION NOT NULL,
    "minClicks" INTEGER NOT NULL,
    "refractoryMs" INTEGER NOT NULL,
    "blurFraction" DOUBLE PRECISION,
    "completionCode" TEXT,
    "redirectUrl" TEXT,
    "open" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" TIMESTAMP(3),

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CampaignImage" (
    "campaignId" TEXT NOT NULL,
    "imageId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "task" TEXT NOT NULL,
    "classIndex" INTEGER NOT NULL DEFAULT -1,
    "model" TEXT,
    "gold" BOOLEAN NOT NULL DEFAULT false,
    "taken" INTEGER NOT NULL DEFAULT 0,
    "accepted" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "CampaignImage_pkey" PRIMARY KEY ("campaignId","imageId")
);

-- CreateTable
CREATE TABLE "CampaignSession" (
    "id" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "annotator" TEXT NOT NULL,
    "participant" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "CampaignSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CampaignAssignment" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "imageId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "gold" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL,
    "annotationId" TEXT,
    "assignedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "acceptedAt" TIMESTAMP(3),

    CONSTRAINT "CampaignAssignment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CampaignExclusion" (
    "sessionId" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "value" DOUBLE PRECISION,
    "threshold" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CampaignExclusion_pkey" PRIMARY KEY ("sessionId","rule")
);

-- CreateIndex
CREATE INDEX "CampaignImage_campaignId_gold_accepted_taken_idx" ON "CampaignImage"("campaignId", "gold", "accepted", "taken");

-- CreateIndex
CREATE UNIQUE INDEX "CampaignSession_annotator_key" ON "CampaignSession"("annotator");

-- CreateIndex
CREATE INDEX "CampaignSession_campaignId_startedAt_idx" ON "CampaignSession"("campaignId", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "CampaignSession_campaignId_participant_key" ON "CampaignSession"("campaignId", "participant");

-- CreateIndex
CREATE UNIQUE INDEX "CampaignAssignment_annotationId_key" ON "CampaignAssignment"("annotationId");

-- CreateIndex
CREATE INDEX "CampaignAssignment_campaignId_status_expiresAt_idx" ON "CampaignAssignment"("campaignId", "status", "expiresAt");

-- CreateIndex
CREATE INDEX "CampaignAssignment_campaignId_imageId_status_idx" ON "CampaignAssignment"("campaignId", "imageId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "CampaignAssignment_sessionId_imageId_key" ON "CampaignAssignment"("sessionId", "imageId");

-- CreateIndex
CREATE UNIQUE INDEX "CampaignAssignment_sessionId_position_key" ON "CampaignAssignment"("sessionId", "position");

-- AddForeignKey
ALTER TABLE "CampaignImage" ADD CONSTRAINT "CampaignImage_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CampaignImage" ADD CONSTRAINT "CampaignImage_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CampaignSession" ADD CONSTRAINT "CampaignSession_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CampaignAssignment" ADD CONSTRAINT "CampaignAssignment_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "CampaignSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CampaignExclusion" ADD CONSTRAINT "CampaignExclusion_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "CampaignSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

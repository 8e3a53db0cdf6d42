-- CreateIndex
CREATE INDEX "CampaignAssignment_imageId_status_idx" ON "CampaignAssignment"("imageId", "status");

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Campaign" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "perImage" INTEGER NOT NULL,
    "perSession" INTEGER NOT NULL,
    "maxClicks" INTEGER NOT NULL,
    "timeLimitSeconds" REAL NOT NULL,
    "minClicks" INTEGER NOT NULL,
    "refractoryMs" INTEGER NOT NULL,
    "blurFraction" REAL,
    "completionCode" TEXT,
    "redirectUrl" TEXT,
    "open" BOOLEAN NOT NULL DEFAULT true,
    "assignment" TEXT NOT NULL DEFAULT 'BALANCED',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" DATETIME
);
INSERT INTO "new_Campaign" ("blurFraction", "closedAt", "completionCode", "createdAt", "id", "maxClicks", "minClicks", "name", "open", "perImage", "perSession", "redirectUrl", "refractoryMs", "timeLimitSeconds") SELECT "blurFraction", "closedAt", "completionCode", "createdAt", "id", "maxClicks", "minClicks", "name", "open", "perImage", "perSession", "redirectUrl", "refractoryMs", "timeLimitSeconds" FROM "Campaign";
DROP TABLE "Campaign";
ALTER TABLE "new_Campaign" RENAME TO "Campaign";
CREATE TABLE "new_CampaignImage" (
    "campaignId" TEXT NOT NULL,
    "imageId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "task" TEXT NOT NULL,
    "classIndex" INTEGER NOT NULL DEFAULT -1,
    "model" TEXT,
    "gold" BOOLEAN NOT NULL DEFAULT false,
    "taken" INTEGER NOT NULL DEFAULT 0,
    "accepted" INTEGER NOT NULL DEFAULT 0,
    "stability" REAL,
    "stabilityAt" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("campaignId", "imageId"),
    CONSTRAINT "CampaignImage_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CampaignImage_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_CampaignImage" ("accepted", "campaignId", "classIndex", "gold", "imageId", "model", "position", "taken", "task") SELECT "accepted", "campaignId", "classIndex", "gold", "imageId", "model", "position", "taken", "task" FROM "CampaignImage";
DROP TABLE "CampaignImage";
ALTER TABLE "new_CampaignImage" RENAME TO "CampaignImage";
CREATE INDEX "CampaignImage_campaignId_gold_accepted_taken_idx" ON "CampaignImage"("campaignId", "gold", "accepted", "taken");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

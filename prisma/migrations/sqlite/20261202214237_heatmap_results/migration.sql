-- CreateTable
CREATE TABLE "HeatmapResult" (
    "explanationId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "optionsKey" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "computeMs" REAL NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("explanationId", "position", "kind", "optionsKey"),
    CONSTRAINT "HeatmapResult_explanationId_position_fkey" FOREIGN KEY ("explanationId", "position") REFERENCES "Heatmap" ("explanationId", "position") ON DELETE CASCADE ON UPDATE CASCADE
);

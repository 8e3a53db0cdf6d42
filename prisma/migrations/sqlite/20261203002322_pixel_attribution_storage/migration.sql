-- AlterTable
ALTER TABLE "Explanation" ADD COLUMN "attributionOptions" JSONB;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Heatmap" (
    "explanationId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "method" TEXT NOT NULL,
    "classIndex" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "score" REAL NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "raw" BLOB NOT NULL,
    "encoding" TEXT NOT NULL DEFAULT 'f32',
    "channels" INTEGER NOT NULL DEFAULT 1,
    "scale" REAL,
    "convergenceDelta" REAL,

    PRIMARY KEY ("explanationId", "position"),
    CONSTRAINT "Heatmap_explanationId_fkey" FOREIGN KEY ("explanationId") REFERENCES "Explanation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Heatmap" ("classIndex", "explanationId", "height", "label", "method", "position", "raw", "score", "width") SELECT "classIndex", "explanationId", "height", "label", "method", "position", "raw", "score", "width" FROM "Heatmap";
DROP TABLE "Heatmap";
ALTER TABLE "new_Heatmap" RENAME TO "Heatmap";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

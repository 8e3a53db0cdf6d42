-- CreateTable
CREATE TABLE "EvalRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "dataset" TEXT NOT NULL,
    "protocol" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "images" JSONB NOT NULL,
    "entries" JSONB NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "wallMs" REAL,
    "stats" JSONB
);

-- CreateTable
CREATE TABLE "EvalScore" (
    "protocol" TEXT NOT NULL,
    "dataset" TEXT NOT NULL,
    "image" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "layer" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "value" REAL,
    "classIndex" INTEGER,
    "runId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("protocol", "image", "kind", "model", "layer", "method", "target", "metric"),
    CONSTRAINT "EvalScore_runId_fkey" FOREIGN KEY ("runId") REFERENCES "EvalRun" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "EvalRun_dataset_startedAt_idx" ON "EvalRun"("dataset", "startedAt");

-- CreateIndex
CREATE INDEX "EvalScore_protocol_metric_idx" ON "EvalScore"("protocol", "metric");

-- CreateIndex
CREATE INDEX "EvalScore_runId_idx" ON "EvalScore"("runId");

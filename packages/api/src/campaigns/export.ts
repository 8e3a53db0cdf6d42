// A campaign's data set, in the layout `export-annotations --format dataset` writes (OSIE's:
// stimuli/<sha256>.<format> and fixations.json with one subject per annotation, 1-based pixel
// centres), so `eval --dataset NAME --data-dir DIR` ranks models on it: the accepted annotations of the
// campaign's images by the participants not excluded (gold images left out). Beside it campaign.json:
// the terms, per image the counts and which session each subject is, the participants, the exclusions
// with their reasons and the reliability curve. Files are produced one at a time (the CLI writes them
// to a folder, the HTTP route streams them as a tar).
import type { Storage } from '../storage/types.js';
import { StorageError } from '../storage/types.js';
import { crowdPoints } from './quality.js';
import type { CampaignService } from './service.js';

export interface DatasetFile {
  /** Relative to the data set's folder, with forward slashes. */
  path: string;
  bytes: Uint8Array;
}

export interface CampaignExportCounts {
  images: number;
  /** Kept annotations written as subjects. */
  subjects: number;
  points: number;
  /** Accepted annotations left out: their participants are excluded. */
  excluded: number;
}

interface DatasetImage {
  image: string;
  width: number;
  height: number;
  subjects: { x: number[]; y: number[] }[];
}

/**
 * The files of campaign `id`'s data set, stimuli first, then fixations.json and campaign.json;
 * `counts` is filled in as they go. NOT_FOUND (an AnnotationError) for an unknown campaign.
 */
export async function* campaignDataset(campaigns: CampaignService, storage: Storage, id: string, counts: CampaignExportCounts = { images: 0, subjects: 0, points: 0, excluded: 0 }): AsyncGenerator<DatasetFile> {
  const campaign = await campaigns.get(id);
  const [images, people, exclusions, sessions, progress] = await Promise.all([
    campaigns.store.images(id), campaigns.store.acceptedAnnotations(id), campaigns.store.exclusions(id), campaigns.store.sessions(id), campaigns.progress(id),
  ]);
  const out = new Set(exclusions.map((e) => e.sessionId));
  const dataset: DatasetImage[] = [];
  const perImage: Record<string, unknown>[] = [];
  for (const im of images) {
    const kept = people
      .filter((p) => p.annotation.imageId === im.imageId && !p.gold && !out.has(p.sessionId))
      .sort((a, b) => a.annotation.createdAt.getTime() - b.annotation.createdAt.getTime() || a.annotation.id.localeCompare(b.annotation.id));
    if (!im.gold) counts.excluded += people.filter((p) => p.annotation.imageId === im.imageId && out.has(p.sessionId)).length;
    const p = progress.find((x) => x.image.imageId === im.imageId)!;
    const row: Record<string, unknown> = {
      id: im.imageId, file: null, task: im.task, classIndex: im.classIndex, model: im.model, gold: im.gold,
      accepted: im.accepted, kept: p.kept, quota: im.gold ? null : campaign.perImage, subjects: im.gold ? [] : kept.map((k) => k.sessionId),
    };
    perImage.push(row);
    if (im.gold || kept.length === 0) continue;
    const record = await storage.getImage(im.imageId);
    const bytes = await storage.getImageBytes(im.imageId);
    if (!record || !bytes) throw new StorageError('NOT_FOUND', `campaign ${id} has image ${im.imageId}, which is not stored`);
    const file = `${im.imageId}.${record.format}`;
    row.file = `stimuli/${file}`;
    yield { path: `stimuli/${file}`, bytes };
    dataset.push({
      image: file, width: record.width, height: record.height,
      subjects: kept.map((k) => {
        const pts = crowdPoints(k.annotation);
        counts.points += pts.length;
        return { x: pts.map((q) => q.x + 1), y: pts.map((q) => q.y + 1) };
      }),
    });
    counts.images++;
    counts.subjects += kept.length;
  }
  yield { path: 'fixations.json', bytes: Buffer.from(`${JSON.stringify({ images: dataset })}\n`) };
  const reliability = await campaigns.reliability(id);
  const summary = {
    campaign: {
      id: campaign.id, name: campaign.name, open: campaign.open, createdAt: campaign.createdAt, closedAt: campaign.closedAt,
      perImage: campaign.perImage, perSession: campaign.perSession, maxClicks: campaign.maxClicks, minClicks: campaign.minClicks,
      timeLimitSeconds: campaign.timeLimitSeconds, refractoryMs: campaign.refractoryMs, blurFraction: campaign.blurFraction,
    },
    convention: 'fixations.json: one subject per kept annotation, x and y 1-based (OSIE); images[].subjects names each subject\'s session in the same order',
    images: perImage,
    participants: { sessions: sessions.length, finished: sessions.filter((s) => s.finishedAt).length, excluded: out.size },
    exclusions: exclusions.map((e) => ({ session: e.sessionId, rule: e.rule, detail: e.detail, value: e.value, threshold: e.threshold })),
    reliability,
    counts,
  };
  yield { path: 'campaign.json', bytes: Buffer.from(`${JSON.stringify(summary, null, 2)}\n`) };
}

// The caption and the faithfulness report of the shown map (a Lit ReactiveController of
// <saliency-explainer>), each only while its attribute is on: computed by the engine that made the
// map (core in the browser, or the API), once per map of a run, announced with `saliency-caption` and
// `saliency-faithfulness`.
import type { Caption, CaptionerPhrase, CaptionFact, FaithfulnessReport, FloatMap, HumanReference } from '@saliency-explainer/core';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { captionSentences, sentencesText, type CaptionSentence } from '../caption/caption-text.js';
import type { Backend, Engine } from '../engines/types.js';
import type { LoadedImage } from '../image/load-image.js';
import { MeasureTracker } from './measure-tracker.js';
import type { CaptionerSource } from '../engines/captioner-source.js';

/** The detail of a `saliency-caption` event. */
export interface CaptionDetail {
  backend: Backend;
  method: string;
  classIndex: number;
  label: string;
  /** Core's English rendering of the facts. */
  text: string;
  facts: CaptionFact[];
  /** A free-text captioner's description of the crop, quoted by the text's last sentence (when one ran). */
  captioner?: CaptionerPhrase;
}

/** The detail of a `saliency-faithfulness` event. */
export interface FaithfulnessDetail {
  backend: Backend;
  method: string;
  classIndex: number;
  label: string;
  report: FaithfulnessReport;
}

/** A caption with its sentences cut at their numbers (null: shown as plain text). */
export interface ShownCaption extends CaptionDetail {
  sentences: CaptionSentence[] | null;
}

export interface MeasuresInput {
  caption: boolean;
  faithfulness: boolean;
  engine: Engine | null;
  image: LoadedImage | null;
  /** The shown map (final, model input grid), once ready. */
  map: { method: string; classIndex: number; label: string; map: FloatMap } | null;
  /** The other classes explained with it (same method): the caption's contrasts. */
  others: { classIndex: number; map: FloatMap }[];
  /** The manifest folder (the caption's object detector). */
  modelsBase: string;
  /** The free-text captioner (local engines), when the page names one. */
  captioner: CaptionerSource | null;
  /** The image's human attention for a class (the caption's human fact), when known. */
  human(classIndex: number): Promise<HumanReference | null>;
}

export class MeasuresController implements ReactiveController {
  readonly captions: MeasureTracker<ShownCaption>;
  readonly reports: MeasureTracker<FaithfulnessDetail>;
  private source: { engine: Engine; image: LoadedImage } | null = null;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
    const update = () => host.requestUpdate();
    const fire = <T>(type: string) => (detail: T) => host.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
    this.captions = new MeasureTracker<ShownCaption>(update, (c) => {
      const { sentences: _sentences, ...detail } = c;
      fire<CaptionDetail>('saliency-caption')(detail);
    });
    this.reports = new MeasureTracker<FaithfulnessDetail>(update, fire<FaithfulnessDetail>('saliency-faithfulness'));
  }

  hostConnected(): void {}

  /** Called before each render with what is shown. */
  sync(input: MeasuresInput): void {
    const { engine, image, map } = input;
    if (!engine || !image) {
      this.source = null;
      this.captions.clear();
      this.reports.clear();
      return;
    }
    if (this.source?.engine !== engine || this.source.image !== image) {
      this.source = { engine, image };
      this.captions.clear();
      this.reports.clear();
    }
    const key = map ? `${map.method}|${map.classIndex}` : null;
    const base = map && { backend: engine.backend, method: map.method, classIndex: map.classIndex, label: map.label };
    // another captioner is another caption of the same map
    const captionKey = key && input.captioner ? `${key}|${input.captioner.folder}|${input.captioner.library}` : key;
    this.captions.show(input.caption ? captionKey : null, async (signal) => {
      const caption: Caption = await engine.caption(image, {
        method: map!.method, classIndex: map!.classIndex, map: map!.map, signal, others: input.others,
        human: () => input.human(map!.classIndex), modelsBase: input.modelsBase,
        ...(input.captioner ? { captioner: input.captioner } : {}),
      });
      const sentences = captionSentences(caption.facts, caption.captioner);
      // the server's text is shown as it is should this version's renderer word it otherwise
      const cut = sentences && sentencesText(sentences) === caption.text ? sentences : null;
      return { ...base!, text: caption.text, facts: caption.facts, ...(caption.captioner ? { captioner: caption.captioner } : {}), sentences: cut };
    });
    this.reports.show(input.faithfulness ? key : null, async (signal) => ({
      ...base!,
      report: await engine.faithfulness(image, { method: map!.method, classIndex: map!.classIndex, map: map!.map, signal }),
    }));
  }
}

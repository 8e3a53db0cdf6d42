// `explain` and pixel attributions (core/attribution): the flags of IG and SmoothGrad, how a pixel map
// is drawn, and its JSON. Overlays of pixel maps use 'inferno' (unless --colormap is given) on the map
// clipped at its 99th percentile: a sparse map is mostly near zero, and inferno's zero is black with
// lightness rising monotonically to the maximum, so empty pixels add no colour and the few strong
// ones read brightest (JET paints near-zero saturated blue over the whole photo and peaks in
// lightness at cyan/yellow, not at the maximum). --pixel-view masked draws gradient × image instead.
import {
  INTEGRATION_RULES, maskedImage, overlay, renderedAttribution,
  type AttributionMap, type AttributionOptions, type ClassMap, type FloatMap, type ColormapName, type IntegrationRule, type RgbImage,
} from '@saliency-explainer/core';
import { usageError } from '../errors.js';
import { intFlag, numberFlag } from './flags.js';
import { JsonFloats } from './json-floats.js';

export const PIXEL_COLORMAP: ColormapName = 'inferno';
export const PIXEL_VIEWS = ['heat', 'masked'] as const;
export type PixelView = (typeof PIXEL_VIEWS)[number];

export interface PixelArgs {
  attribution: AttributionOptions;
  /** Colormap of pixel-map overlays: --colormap when given, else inferno. */
  colormap: ColormapName;
  view: PixelView;
}

export const pixelFlags = {
  steps: { type: 'string' },
  integration: { type: 'string' },
  samples: { type: 'string' },
  noise: { type: 'string' },
  seed: { type: 'string' },
  'pixel-view': { type: 'string' },
} as const;

export const PIXEL_HELP = `      --steps N             integratedgradients: path points (default 50)
      --integration R       integratedgradients: gausslegendre (default, as Captum) or riemann_trapezoid
      --samples N           smoothgrad: noisy samples (default 50)
      --noise F             smoothgrad: noise σ as a fraction of the input's max − min (default 0.15)
      --seed N              smoothgrad: seed of the noise (default 0)
      --pixel-view V        pixel-method overlays: heat (default; inferno, clipped at the 99th percentile)
                            or masked (gradient × image: the photo where the attribution is)`;

type Values = { [K in keyof typeof pixelFlags]?: string } & { colormap?: string };

export function parsePixelArgs(v: Values): PixelArgs {
  const integration = v.integration ?? 'gausslegendre';
  if (!INTEGRATION_RULES.includes(integration as IntegrationRule)) throw usageError(`--integration must be one of ${INTEGRATION_RULES.join(', ')}, not '${integration}'`);
  const view = v['pixel-view'] ?? 'heat';
  if (!PIXEL_VIEWS.includes(view as PixelView)) throw usageError(`--pixel-view must be one of ${PIXEL_VIEWS.join(', ')}, not '${view}'`);
  const attribution: AttributionOptions = {
    steps: v.steps === undefined ? undefined : intFlag('steps', v.steps, integration === 'riemann_trapezoid' ? 2 : 1, 10_000),
    integration: integration as IntegrationRule,
    samples: v.samples === undefined ? undefined : intFlag('samples', v.samples, 1, 10_000),
    noise: v.noise === undefined ? undefined : numberFlag('noise', v.noise, (x) => x >= 0, 'a number ≥ 0'),
    seed: v.seed === undefined ? undefined : intFlag('seed', v.seed, 0, 2 ** 32 - 1),
  };
  return { attribution, colormap: (v.colormap ?? PIXEL_COLORMAP) as ColormapName, view: view as PixelView };
}

/**
 * The overlay PNG of a pixel map: heat (inferno over the photo) or masked (gradient × image), on
 * `under` (the photo, or the model's view) with the rendered map brought to its frame by `toFrame`.
 */
export function pixelOverlay(under: RgbImage, m: ClassMap, pixels: PixelArgs, imageWeight: number, toFrame: (map: FloatMap) => FloatMap = (x) => x): RgbImage {
  const view = under;
  const shown = toFrame(renderedAttribution(m.raw));
  return pixels.view === 'masked' ? maskedImage(view, shown) : overlay(view, shown, { colormap: pixels.colormap, imageWeight });
}

export interface JsonAttribution {
  channels: number;
  width: number;
  height: number;
  /** Row-major [C, H, W], signed; printed as numbers. */
  values: JsonFloats;
}

/** A signed attribution as JSON (9 significant digits: each float32 exactly), formatted when written. */
export function jsonAttribution(a: AttributionMap): JsonAttribution {
  return { channels: a.channels, width: a.width, height: a.height, values: new JsonFloats(a.values) };
}

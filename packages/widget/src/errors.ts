// The widget's typed errors: one code per failure a page can react to (the `saliency-error` event).

/**
 * Widget codes, plus the API's own codes passed through unchanged in remote mode (BAD_IMAGE,
 * IMAGE_TOO_LARGE, RATE_LIMITED, …); the local engine reports BAD_LAYER, BAD_CLASS and
 * UNKNOWN_METHOD with the same names as the API.
 */
export type WidgetErrorCode =
  | 'BAD_ATTRIBUTE'
  | 'IMAGE_LOAD_FAILED'
  | 'UNKNOWN_MODEL'
  | 'MODEL_LOAD_FAILED'
  | 'WEBGPU_UNAVAILABLE'
  | 'ENGINE_FAILED'
  | 'ENGINE_TIMEOUT'
  | 'NO_API'
  | 'API_UNAVAILABLE'
  | 'BAD_LAYER'
  | 'BAD_CLASS'
  | 'UNKNOWN_METHOD'
  | 'NO_DETECTOR'
  | 'DETECTOR_LOAD_FAILED'
  | 'CAPTION_FAILED'
  | 'FAITHFULNESS_FAILED'
  | (string & {});

export class WidgetError extends Error {
  constructor(readonly code: WidgetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WidgetError';
  }
}

/** Any thrown value as a WidgetError (`fallback` names what failed when the value carries no code). */
export function asWidgetError(e: unknown, fallback: WidgetErrorCode): WidgetError {
  if (e instanceof WidgetError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  // core's ExplainError codes (BAD_LAYER, BAD_CLASS, UNKNOWN_METHOD, BAD_INPUT) are kept
  return new WidgetError(typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : fallback, message, { cause: e });
}

/** The detail of a `saliency-error` event. */
export interface SaliencyErrorDetail {
  code: WidgetErrorCode;
  message: string;
}

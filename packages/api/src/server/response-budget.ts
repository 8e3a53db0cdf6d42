// The bytes one response may carry (SALIENCY_MAX_RESPONSE_BYTES), counted while the large values are
// made: PNG and image data URLs, raw maps. The cost estimate refuses a request that could pass the
// limit before anything runs; this is the backstop for sizes it can only bound (a stored map's layer,
// a crowd's points). Once spent, the next large field is refused with RESPONSE_TOO_LARGE instead of
// being built, so a response never grows past the limit by more than one value.
import { apiError } from './errors.js';

export class ResponseBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get spent(): number {
    return this.used;
  }

  /** Refuses before work when the budget is already spent. */
  check(what: string): void {
    if (this.used >= this.limit) throw this.error(what);
  }

  /** Counts `bytes` of a value about to be returned; refuses it when it does not fit. */
  charge(bytes: number, what: string): void {
    if (this.used + bytes > this.limit) {
      this.used = this.limit;
      throw this.error(what);
    }
    this.used += bytes;
  }

  private error(what: string) {
    return apiError('RESPONSE_TOO_LARGE', `${what} would take the response past ${this.limit} bytes (SALIENCY_MAX_RESPONSE_BYTES); ask for fewer or smaller values`, { maxResponseBytes: this.limit });
  }
}

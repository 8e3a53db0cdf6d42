// The engine's typed request error (its own file: engine.ts and engine-graphs.ts both throw it).

export class ExplainError extends Error {
  constructor(readonly code: 'BAD_LAYER' | 'BAD_CLASS' | 'UNKNOWN_METHOD' | 'BAD_INPUT', message: string) {
    super(message);
    this.name = 'ExplainError';
  }
}

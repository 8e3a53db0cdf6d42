// Typed CLI failures and the exit code each one maps to.

export const EXIT = { OK: 0, INTERNAL: 1, USAGE: 2, INPUT: 3, MODEL: 4, OUTPUT: 5 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(readonly exitCode: ExitCode, readonly code: string, message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(EXIT.USAGE, 'USAGE', message);
export const inputError = (code: string, message: string) => new CliError(EXIT.INPUT, code, message);
export const modelError = (code: string, message: string) => new CliError(EXIT.MODEL, code, message);
/** Results cannot be written where the command was told to write them (exit 5). */
export const outputError = (code: string, message: string) => new CliError(EXIT.OUTPUT, code, message);

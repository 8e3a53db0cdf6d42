// Typed failures shared by the CLI, the model loaders (models/), eval and compute: each has a code
// (NO_MANIFEST, UNKNOWN_MODEL, MODEL_FILE_MISSING, …) and the exit code the CLI ends with for it
// (cli/main.ts). The API does not use the exit codes: it maps failures to its own GraphQL codes
// (server/errors.ts). Kept outside cli/ so that nothing outside cli/ imports CLI code.

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

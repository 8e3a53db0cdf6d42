// Flag parsing shared by the commands: node:util parseArgs with its errors as usage errors (exit 2),
// and the number and list forms every command uses.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
/** What parseArgs returns for these options (with positionals allowed). */
export type ParsedFlags<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;
import { usageError } from '../errors.js';

export function parseFlags<O extends Options>(argv: string[], options: O): ParsedFlags<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw usageError((e as Error).message);
  }
}

/** An integer flag in min..max. */
export function intFlag(name: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(v) || v < min || v > max) {
    throw usageError(`--${name} must be an integer in ${min}..${max === Number.MAX_SAFE_INTEGER ? '∞' : max}, not '${text}'`);
  }
  return v;
}

/** A number flag that `ok` accepts; `what` says what is expected. */
export function numberFlag(name: string, text: string, ok: (v: number) => boolean, what: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || !ok(v)) throw usageError(`--${name} must be ${what}, not '${text}'`);
  return v;
}

/** Repeated and comma-separated values, trimmed, empty ones dropped. */
export const listFlag = (values: string[] | undefined): string[] =>
  (values ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);

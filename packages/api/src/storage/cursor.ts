// Opaque pagination cursors: base64url of "<createdAt ms>:<id>", the sort key of listExplanations.
import { StorageError } from './types.js';

export interface CursorKey {
  createdAt: Date;
  id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(`${key.createdAt.getTime()}:${key.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  const bad = () => new StorageError('BAD_CURSOR', `malformed cursor ${JSON.stringify(cursor.length > 80 ? `${cursor.slice(0, 80)}…` : cursor)}`);
  // Node's base64url decoder skips characters it does not know, so check the alphabet and the round trip
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (Buffer.from(text, 'utf8').toString('base64url') !== cursor) throw bad();
  const match = /^(-?\d{1,16}):(.+)$/s.exec(text);
  if (!match) throw bad();
  const createdAt = new Date(Number(match[1]));
  if (Number.isNaN(createdAt.getTime())) throw bad();
  return { createdAt, id: match[2] };
}

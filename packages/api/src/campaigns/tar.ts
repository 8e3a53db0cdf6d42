// A minimal POSIX ustar writer (uncompressed), enough to hand a campaign's data set folder over HTTP
// as one download: a 512-byte header per file (name, mode, size, mtime, checksum), the bytes padded
// to 512, two zero blocks at the end. Names up to 100 bytes, or split into prefix/name at a slash.
const BLOCK = 512;

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  const cut = path.lastIndexOf('/', 155);
  const name = path.slice(cut + 1);
  const prefix = path.slice(0, cut);
  if (cut <= 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) throw new RangeError(`tar: the path ${path} is too long for ustar`);
  return { name, prefix };
}

/** The header block of a regular file. */
export function tarHeader(path: string, size: number, mtime: Date): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const { name, prefix } = splitName(path);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 'ascii'); // mode
  h.write(octal(0, 8), 108, 'ascii'); // uid
  h.write(octal(0, 8), 116, 'ascii'); // gid
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum: spaces while summing
  h.write('0', 156, 'ascii'); // regular file
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** The blocks of one file: header, bytes, zero padding to a whole block. */
export function tarEntry(path: string, bytes: Uint8Array, mtime: Date): Buffer[] {
  const pad = (BLOCK - (bytes.length % BLOCK)) % BLOCK;
  return [tarHeader(path, bytes.length, mtime), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), Buffer.alloc(pad, 0)];
}

/** The end of the archive: two zero blocks. */
export const TAR_END = Buffer.alloc(2 * BLOCK, 0);

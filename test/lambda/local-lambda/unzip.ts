/**
 * The local Lambda server's unzip: reads the central directory, inflates each entry, checks its
 * CRC, refuses paths outside the target folder, and enforces Lambda's unzipped-size limit. It is
 * written apart from the project's zip writer on purpose: a bug in one is not repeated by the other.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';

export interface UnzippedEntry {
  name: string;
  data: Buffer;
  /** Unix permission bits when the zip was made on Unix, else 0o644. */
  mode: number;
}

export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
}

export function readZip(zip: Buffer, maxUnzippedBytes: number): UnzippedEntry[] {
  const eocd = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(eocd + 10);
  const directorySize = zip.readUInt32LE(eocd + 12);
  let at = zip.readUInt32LE(eocd + 16);
  if (at + directorySize > eocd) throw new ZipFormatError('central directory runs past its end record');
  const entries: UnzippedEntry[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new ZipFormatError(`entry ${i}: bad central header signature`);
    const madeBy = zip.readUInt16LE(at + 4) >> 8;
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const external = zip.readUInt32LE(at + 38);
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString(flags & 0x0800 ? 'utf8' : 'latin1');
    at += 46 + nameLength + extraLength + commentLength;

    if (flags & 0x0001) throw new ZipFormatError(`${name}: encrypted entries are not supported`);
    if (zip.readUInt32LE(localOffset) !== 0x04034b50) throw new ZipFormatError(`${name}: bad local header signature`);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    if (raw.length !== compressedSize) throw new ZipFormatError(`${name}: data runs past the end of the file`);
    total += size;
    if (total > maxUnzippedBytes) throw new ZipFormatError(`unzipped size must be smaller than ${maxUnzippedBytes} bytes`);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = inflateRawSync(raw, { maxOutputLength: Math.max(size, 1) });
    else throw new ZipFormatError(`${name}: compression method ${method} is not supported`);
    if (data.length !== size) throw new ZipFormatError(`${name}: ${data.length} bytes inflated, the directory says ${size}`);
    if ((crc32(data) >>> 0) !== crc) throw new ZipFormatError(`${name}: CRC mismatch`);
    const unixMode = madeBy === 3 ? (external >>> 16) & 0o777 : 0;
    entries.push({ name, data, mode: unixMode || 0o644 });
  }
  return entries;
}

/** Writes the entries under `dir`; a name escaping it (zip slip) is refused. */
export async function extractZip(entries: readonly UnzippedEntry[], dir: string): Promise<void> {
  const root = path.resolve(dir);
  for (const entry of entries) {
    const target = path.resolve(root, entry.name);
    if (!target.startsWith(root + path.sep)) throw new ZipFormatError(`${entry.name}: path leaves the code folder`);
    if (entry.name.endsWith('/')) {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, entry.data, { mode: entry.mode });
  }
}

function findEndOfCentralDirectory(zip: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65 535.
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === 0x06054b50) return at;
  }
  throw new ZipFormatError('no end of central directory record: not a zip file');
}

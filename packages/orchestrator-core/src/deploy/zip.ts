/**
 * A small ZIP writer for the Lambda bundle (no dependency): deflate or store per entry, no zip64.
 * Deterministic: entries in the order given, a fixed timestamp and fixed permissions, so the same
 * files give the same bytes — and the same CodeSha256, which lets deploy skip unchanged code.
 * Each entry is compressed in memory (the largest, onnxruntime's shared library, is ~45 MB) on
 * zlib's thread pool, so the event loop stays free while a bundle is built.
 */
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { crc32, deflateRaw, constants as zlibConstants } from 'node:zlib';

const deflateRawAsync = promisify(deflateRaw);

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, no leading slash. */
  name: string;
  data: Buffer;
  /** Unix permission bits (default 0o644; Lambda needs files readable by everyone). */
  mode?: number;
}

export interface ZipWriteResult {
  bytes: number;
  entries: number;
  /** Sum of the entries' uncompressed sizes (Lambda's unzipped limit is 250 MB). */
  uncompressedBytes: number;
}

const LIMIT_32 = 0xffff_ffff;
const MAX_ENTRIES = 0xffff;
// 1980-01-01 00:00:00 in MS-DOS format: the earliest a zip can say, and always the same.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const FLAG_UTF8 = 0x0800;
const VERSION = 20;
const MADE_BY_UNIX = (3 << 8) | VERSION;

/** Writes `entries` (produced lazily, so only one file is in memory at a time) to `outPath`. */
export async function writeZip(entries: Iterable<ZipEntry> | AsyncIterable<ZipEntry>, outPath: string, options: { level?: number } = {}): Promise<ZipWriteResult> {
  const level = options.level ?? zlibConstants.Z_DEFAULT_COMPRESSION;
  const file = await open(outPath, 'w');
  const central: Buffer[] = [];
  const names = new Set<string>();
  let offset = 0;
  let count = 0;
  let uncompressedBytes = 0;
  try {
    for await (const entry of entries) {
      checkName(entry.name, names);
      if (++count > MAX_ENTRIES) throw new Error(`zip: more than ${MAX_ENTRIES} entries (zip64 is not supported)`);
      const crc = crc32(entry.data) >>> 0;
      const deflated = await deflateRawAsync(entry.data, { level });
      const stored = deflated.length >= entry.data.length;
      const body = stored ? entry.data : deflated;
      const method = stored ? 0 : 8;
      if (entry.data.length > LIMIT_32 || offset + body.length > LIMIT_32) throw new Error(`zip: ${entry.name} goes past 4 GiB (zip64 is not supported)`);
      const name = Buffer.from(entry.name, 'utf8');

      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(VERSION, 4);
      local.writeUInt16LE(FLAG_UTF8, 6);
      local.writeUInt16LE(method, 8);
      local.writeUInt16LE(DOS_TIME, 10);
      local.writeUInt16LE(DOS_DATE, 12);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(body.length, 18);
      local.writeUInt32LE(entry.data.length, 22);
      local.writeUInt16LE(name.length, 26);
      local.writeUInt16LE(0, 28);
      await file.write(Buffer.concat([local, name]));
      await file.write(body);

      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE(MADE_BY_UNIX, 4);
      header.writeUInt16LE(VERSION, 6);
      header.writeUInt16LE(FLAG_UTF8, 8);
      header.writeUInt16LE(method, 10);
      header.writeUInt16LE(DOS_TIME, 12);
      header.writeUInt16LE(DOS_DATE, 14);
      header.writeUInt32LE(crc, 16);
      header.writeUInt32LE(body.length, 20);
      header.writeUInt32LE(entry.data.length, 24);
      header.writeUInt16LE(name.length, 28);
      // extra length, comment length, disk number, internal attributes: all 0
      header.writeUInt32LE((((0o100000 | (entry.mode ?? 0o644)) << 16) >>> 0), 38);
      header.writeUInt32LE(offset, 42);
      central.push(header, name);

      offset += local.length + name.length + body.length;
      uncompressedBytes += entry.data.length;
    }
    const directory = Buffer.concat(central);
    if (offset + directory.length > LIMIT_32) throw new Error('zip: the archive goes past 4 GiB (zip64 is not supported)');
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(count, 8);
    end.writeUInt16LE(count, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(offset, 16);
    await file.write(Buffer.concat([directory, end]));
    return { bytes: offset + directory.length + end.length, entries: count, uncompressedBytes };
  } finally {
    await file.close();
  }
}

function checkName(name: string, seen: Set<string>): void {
  if (name.length === 0 || name.startsWith('/') || name.includes('\\') || name.split('/').some((part) => part === '..' || part === '' || part === '.')) {
    throw new Error(`zip: bad entry name ${JSON.stringify(name)} (relative, '/'-separated, no '.' or '..' parts)`);
  }
  if (seen.has(name)) throw new Error(`zip: entry ${JSON.stringify(name)} given twice`);
  seen.add(name);
}

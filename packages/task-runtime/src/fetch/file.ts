/** Local files (plain paths and file:// URLs), for the local backend and tests. */
import { constants, promises as fs } from 'node:fs';
import { ItemErrorCode, normalizeError, OffsampleError } from '../errors.js';

export async function readLocalFile(path: string, maxBytes: number): Promise<Buffer> {
  let handle: fs.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO must not hang a libuv thread waiting for a writer.
    handle = await fs.open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new OffsampleError(ItemErrorCode.FETCH_FAILED, `permission denied: ${path}`);
    }
    const normalized = normalizeError(err);
    if (normalized.code === ItemErrorCode.NOT_FOUND) throw new OffsampleError(ItemErrorCode.NOT_FOUND, `no such file: ${path}`);
    throw normalized;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new OffsampleError(ItemErrorCode.BAD_INPUT, `not a regular file: ${path}`);
    if (stat.size > maxBytes) {
      throw new OffsampleError(ItemErrorCode.TOO_LARGE, `file of ${stat.size} bytes exceeds config.load.maxBytes (${maxBytes})`);
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

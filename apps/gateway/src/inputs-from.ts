/**
 * Reads `inputsFrom`: a file on the gateway host or an http(s) URL of a text file, one input per
 * line. Blank lines and `#` comments are skipped. Streams, with caps on bytes and lines, so a huge
 * or endless source is refused instead of exhausting memory.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { badUserInput } from './errors.js';

export interface InputsFromLimits {
  maxCount: number;
  maxBytes: number;
  maxInputLength: number;
  timeoutMs: number;
  /** File paths must lie inside one of these; null: any readable path. */
  allowedDirs: readonly string[] | null;
}

const FIELD = 'input.inputsFrom';
const fail = (message: string) => badUserInput([{ path: FIELD, message }]);

export async function readInputsFrom(source: string, limits: InputsFromLimits): Promise<string[]> {
  const isUrl = /^https?:\/\//i.test(source);
  if (!isUrl && /^[a-z][a-z0-9+.-]*:\/\//i.test(source)) throw fail('must be a file path or an http(s) URL');
  const chunks = isUrl ? await urlChunks(source, limits) : await fileChunks(source, limits);
  return collectLines(chunks, limits);
}

async function fileChunks(source: string, limits: InputsFromLimits): Promise<AsyncIterable<Uint8Array>> {
  const file = path.resolve(source);
  if (limits.allowedDirs) {
    const inside = limits.allowedDirs.some((dir) => {
      const rel = path.relative(path.resolve(dir), file);
      return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
    });
    if (!inside) throw fail('file is outside the directories the gateway allows (OFFSAMPLE_INPUTS_FROM_DIRS)');
  }
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw fail(`no readable file at ${JSON.stringify(source)}`);
  if (info.size > limits.maxBytes) throw fail(`file is larger than ${limits.maxBytes} bytes`);
  return createReadStream(file);
}

async function urlChunks(source: string, limits: InputsFromLimits): Promise<AsyncIterable<Uint8Array>> {
  let res: Response;
  try {
    res = await fetch(source, { signal: AbortSignal.timeout(limits.timeoutMs), redirect: 'follow' });
  } catch (err) {
    throw fail(`could not fetch ${JSON.stringify(source)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw fail(`fetching ${JSON.stringify(source)} answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > limits.maxBytes) {
    await res.body.cancel().catch(() => undefined);
    throw fail(`${JSON.stringify(source)} is larger than ${limits.maxBytes} bytes`);
  }
  return res.body as unknown as AsyncIterable<Uint8Array>;
}

async function collectLines(chunks: AsyncIterable<Uint8Array>, limits: InputsFromLimits): Promise<string[]> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const out: string[] = [];
  let bytes = 0;
  let rest = '';
  let lineNo = 0;
  const take = (line: string) => {
    lineNo += 1;
    const v = line.trim();
    if (v === '' || v.startsWith('#')) return;
    if (v.length > limits.maxInputLength) throw fail(`line ${lineNo} is longer than ${limits.maxInputLength} characters`);
    if (out.length >= limits.maxCount) throw fail(`more than ${limits.maxCount} inputs`);
    out.push(v);
  };
  const iterator = chunks[Symbol.asyncIterator]();
  try {
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
      bytes += r.value.byteLength;
      if (bytes > limits.maxBytes) throw fail(`source is larger than ${limits.maxBytes} bytes`);
      const lines = (rest + decoder.decode(r.value, { stream: true })).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) take(line);
    }
    take(rest + decoder.decode());
  } finally {
    // Stops the file stream / HTTP body early when a cap was hit.
    await iterator.return?.();
  }
  return out;
}

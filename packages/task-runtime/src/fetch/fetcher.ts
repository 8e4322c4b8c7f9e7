/**
 * The fetch stage's one entry point: work out where an input lives (HTTP(S) URL, s3:// URL, key
 * in the job's bucket, local path / file:// URL) and get its bytes, retrying remote failures.
 */
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import type { TaskManagerConfig } from '../config.js';
import { ItemErrorCode, OffsampleError } from '../errors.js';
import { readLocalFile } from './file.js';
import { createHttpFetcher } from './http.js';
import { withRetry } from './retry.js';
import { createS3Fetcher } from './s3.js';

export type InputSource =
  | { kind: 'http'; url: URL }
  | { kind: 's3'; bucket: string; key: string }
  | { kind: 'file'; path: string };

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/** Where `input` lives. Plain strings are keys in `bucket` when there is one, else local paths. */
export function classifyInput(input: string, bucket?: string): InputSource {
  const trimmed = input.trim();
  if (trimmed === '') throw new OffsampleError(ItemErrorCode.BAD_INPUT, 'empty input');
  const scheme = SCHEME.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (bucket !== undefined) return { kind: 's3', bucket, key: trimmed.replace(/^\/+/, '') };
    return { kind: 'file', path: trimmed };
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new OffsampleError(ItemErrorCode.BAD_INPUT, `not a valid URL: ${trimmed.slice(0, 200)}`);
  }
  switch (scheme) {
    case 'http':
    case 'https':
      return { kind: 'http', url };
    case 's3': {
      // Keys are taken verbatim (S3 URIs are not percent-encoded), not from URL.pathname.
      const rest = trimmed.slice('s3://'.length);
      const slash = rest.indexOf('/');
      const b = slash < 0 ? rest : rest.slice(0, slash);
      const key = slash < 0 ? '' : rest.slice(slash + 1);
      if (b === '' || key === '') throw new OffsampleError(ItemErrorCode.BAD_INPUT, `s3 URL needs a bucket and a key: ${trimmed.slice(0, 200)}`);
      return { kind: 's3', bucket: b, key };
    }
    case 'file':
      try {
        return { kind: 'file', path: fileURLToPath(url) };
      } catch (err) {
        throw new OffsampleError(ItemErrorCode.BAD_INPUT, `bad file URL: ${(err as Error).message}`);
      }
    default:
      throw new OffsampleError(ItemErrorCode.BAD_INPUT, `unsupported input scheme '${scheme}:'`);
  }
}

export interface FetcherDeps {
  /** Used for s3:// inputs and bucket keys; a default `new S3Client({})` is created when missing. */
  s3Client?: S3Client;
  /** The job's bucket: plain inputs are keys in it. */
  bucket?: string;
}

export interface Fetcher {
  fetch(input: string, signal?: AbortSignal): Promise<Buffer>;
  close(): void;
}

export function createFetcher(load: TaskManagerConfig['load'], deps: FetcherDeps = {}): Fetcher {
  const http = createHttpFetcher({
    maxConcurrency: load.maxConcurrency,
    timeoutMs: load.timeoutMs,
    maxBytes: load.maxBytes,
    maxRedirects: load.maxRedirects,
    addressPolicy: { allowLoopback: load.allowLoopback, allowPrivateAddresses: load.allowPrivateAddresses },
  });
  let ownClient: Promise<S3Client> | undefined;
  const s3Client = (): Promise<S3Client> => {
    if (deps.s3Client !== undefined) return Promise.resolve(deps.s3Client);
    ownClient ??= import('@aws-sdk/client-s3').then(({ S3Client: Client }) => new Client({}));
    return ownClient;
  };
  const s3 = createS3Fetcher(s3Client, { timeoutMs: load.timeoutMs, maxBytes: load.maxBytes });

  async function fetch(input: string, signal?: AbortSignal): Promise<Buffer> {
    const source = classifyInput(input, deps.bucket);
    switch (source.kind) {
      case 'http':
        return withRetry(() => http.get(source.url, signal), load, signal);
      case 's3':
        return withRetry(() => s3.get(source.bucket, source.key, signal), load, signal);
      case 'file':
        if (!load.allowLocalFiles) {
          throw new OffsampleError(ItemErrorCode.FORBIDDEN_ADDRESS, 'refused: local files are not allowed (config.load.allowLocalFiles is false)');
        }
        return readLocalFile(source.path, load.maxBytes);
    }
  }

  return {
    fetch,
    close() {
      http.close();
      // A client we created is ours to destroy; a passed-in one belongs to the caller.
      void ownClient?.then((c) => c.destroy()).catch(() => undefined);
    },
  };
}

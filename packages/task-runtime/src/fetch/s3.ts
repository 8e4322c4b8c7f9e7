/**
 * S3 GetObject through a client the caller passes in (its endpoint, credentials and retry
 * strategy are the caller's), with our deadline and size cap on top. The SDK is imported on
 * first use so task managers that only fetch HTTP do not pay for loading it.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { ItemErrorCode, OffsampleError } from '../errors.js';

export interface S3FetchOptions {
  timeoutMs: number;
  maxBytes: number;
}

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function mapSdkError(err: unknown, bucket: string, key: string): OffsampleError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  const where = `s3://${bucket}/${key}`;
  if (e.name === 'NoSuchKey' || e.name === 'NotFound' || e.name === 'NoSuchBucket' || status === 404) {
    return new OffsampleError(ItemErrorCode.NOT_FOUND, `${where}: ${e.name ?? 'not found'}`);
  }
  if (status !== undefined) {
    // The SDK's own retry strategy has already run: do not multiply its attempts by ours.
    return new OffsampleError(ItemErrorCode.HTTP_ERROR, `${where}: S3 ${status} ${e.name ?? ''}`.trim());
  }
  return new OffsampleError(ItemErrorCode.FETCH_FAILED, `${where}: ${e.message ?? String(err)}`, { cause: err });
}

export interface S3Fetcher {
  get(bucket: string, key: string, signal?: AbortSignal): Promise<Buffer>;
}

export function createS3Fetcher(client: () => Promise<S3Client>, options: S3FetchOptions): S3Fetcher {
  let sdk: Promise<typeof import('@aws-sdk/client-s3')> | undefined;

  async function get(bucket: string, key: string, outer?: AbortSignal): Promise<Buffer> {
    sdk ??= import('@aws-sdk/client-s3');
    const { GetObjectCommand } = await sdk;
    const s3 = await client();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    const onOuterAbort = () => controller.abort();
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    if (outer?.aborted) controller.abort();
    const aborted = () => {
      if (timedOut) {
        return new OffsampleError(ItemErrorCode.TIMEOUT, `s3://${bucket}/${key}: no complete answer within ${options.timeoutMs} ms`, { retryable: true });
      }
      return new OffsampleError(ItemErrorCode.CANCELLED, 'cancelled');
    };
    try {
      let response;
      try {
        response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: controller.signal });
      } catch (err) {
        if (controller.signal.aborted) throw aborted();
        throw mapSdkError(err, bucket, key);
      }
      const body = response.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
      if (body === undefined) return Buffer.alloc(0);
      if (response.ContentLength !== undefined && response.ContentLength > options.maxBytes) {
        body.destroy?.();
        throw new OffsampleError(ItemErrorCode.TOO_LARGE, `object of ${response.ContentLength} bytes exceeds config.load.maxBytes (${options.maxBytes})`);
      }
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of body) {
          total += chunk.length;
          if (total > options.maxBytes) {
            body.destroy?.();
            throw new OffsampleError(ItemErrorCode.TOO_LARGE, `object exceeds config.load.maxBytes (${options.maxBytes})`);
          }
          chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        }
      } catch (err) {
        if (err instanceof OffsampleError) throw err;
        if (controller.signal.aborted) throw aborted();
        // A body cut short was not retried by the SDK: one more try may well work.
        throw new OffsampleError(ItemErrorCode.FETCH_FAILED, `s3://${bucket}/${key}: ${(err as Error).message}`, { retryable: true });
      }
      return Buffer.concat(chunks, total);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }

  return { get };
}

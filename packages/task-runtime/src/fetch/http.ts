/**
 * HTTP(S) GET through one keep-alive agent per protocol (maxSockets = load.maxConcurrency),
 * with a per-attempt deadline, a body size cap, redirects re-checked against the address rules,
 * and status codes mapped to stable item error codes.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { ItemErrorCode, OffsampleError } from '../errors.js';
import { assertAddressAllowed, guardedLookup, type AddressPolicy } from './address-guard.js';
import { RetryAfterHint } from './retry.js';

export interface HttpFetchOptions {
  maxConcurrency: number;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  addressPolicy: AddressPolicy;
}

export interface HttpFetcher {
  /** One attempt (redirects included) under one deadline; retries are the caller's business. */
  get(url: URL, signal?: AbortSignal): Promise<Buffer>;
  close(): void;
}

type Hop = { kind: 'body'; body: Buffer } | { kind: 'redirect'; location: string };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function parseRetryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function statusError(status: number, url: URL, retryAfter: string | undefined): OffsampleError {
  if (status === 404 || status === 410) {
    return new OffsampleError(ItemErrorCode.NOT_FOUND, `HTTP ${status} from ${url.host}`);
  }
  // 5xx, 429 (throttled) and 408 (server timed us out) may well pass next time.
  const retryable = status >= 500 || status === 429 || status === 408;
  const err = new OffsampleError(ItemErrorCode.HTTP_ERROR, `HTTP ${status} from ${url.host}`, { retryable });
  const hintMs = retryable ? parseRetryAfterMs(retryAfter) : undefined;
  return hintMs === undefined ? err : new RetryAfterHint(err, hintMs);
}

function tooLarge(bytes: number | string, maxBytes: number): OffsampleError {
  return new OffsampleError(ItemErrorCode.TOO_LARGE, `body of ${bytes} bytes exceeds config.load.maxBytes (${maxBytes})`);
}

export function createHttpFetcher(options: HttpFetchOptions): HttpFetcher {
  const agentOptions = { keepAlive: true, maxSockets: options.maxConcurrency, scheduling: 'lifo' as const };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const lookup = guardedLookup(options.addressPolicy);

  function hop(url: URL, signal: AbortSignal): Promise<Hop> {
    return new Promise<Hop>((resolve, reject) => {
      const isHttps = url.protocol === 'https:';
      if (!isHttps && url.protocol !== 'http:') {
        reject(new OffsampleError(ItemErrorCode.BAD_INPUT, `unsupported URL scheme ${url.protocol}`));
        return;
      }
      const host = url.hostname.replace(/^\[|\]$/g, '');
      try {
        // IP literals never reach `lookup`, so check them here.
        if (isIP(host) !== 0) assertAddressAllowed(host, options.addressPolicy);
      } catch (err) {
        reject(err);
        return;
      }
      const requestOptions = {
        agent: isHttps ? httpsAgent : httpAgent,
        lookup,
        signal,
        headers: { 'user-agent': 'offsample-task-runtime/0.1', accept: 'image/*,*/*;q=0.5' },
      };
      const req = (isHttps ? https : http).request(url, requestOptions as http.RequestOptions, (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (REDIRECTS.has(status) && location !== undefined) {
          res.resume();
          resolve({ kind: 'redirect', location });
          return;
        }
        if (status < 200 || status > 299) {
          res.resume(); // drain so the socket can go back to the pool
          reject(statusError(status, url, res.headers['retry-after']));
          return;
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > options.maxBytes) {
          res.destroy();
          reject(tooLarge(declared, options.maxBytes));
          return;
        }
        const chunks: Buffer[] = [];
        let total = 0;
        let ended = false;
        res.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > options.maxBytes) {
            res.destroy();
            reject(tooLarge(`more than ${options.maxBytes}`, options.maxBytes));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          ended = true;
          resolve({ kind: 'body', body: Buffer.concat(chunks, total) });
        });
        res.on('error', reject);
        res.on('close', () => {
          if (!ended) {
            reject(new OffsampleError(ItemErrorCode.FETCH_FAILED, `connection to ${url.host} closed before the body was complete`, { retryable: true }));
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  async function get(url: URL, outer?: AbortSignal): Promise<Buffer> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    const onOuterAbort = () => controller.abort();
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    if (outer?.aborted) controller.abort();
    try {
      let current = url;
      for (let redirects = 0; ; redirects++) {
        const result = await hop(current, controller.signal);
        if (result.kind === 'body') return result.body;
        if (redirects >= options.maxRedirects) {
          throw new OffsampleError(ItemErrorCode.HTTP_ERROR, `more than config.load.maxRedirects (${options.maxRedirects}) redirects`);
        }
        current = new URL(result.location, current);
      }
    } catch (err) {
      if (timedOut) {
        throw new OffsampleError(ItemErrorCode.TIMEOUT, `no complete answer from ${url.host} within ${options.timeoutMs} ms`, { retryable: true });
      }
      if (outer?.aborted) throw new OffsampleError(ItemErrorCode.CANCELLED, 'cancelled');
      throw err;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }

  return {
    get,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

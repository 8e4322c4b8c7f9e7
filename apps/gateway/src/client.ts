/**
 * A small typed client for the gateway (what the CLI and scripts use): queries and mutations over
 * HTTP, `jobProgress` over graphql-ws. Imported as `@offsample/gateway/client`; it loads neither
 * Apollo nor type-graphql.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { ResultRow } from '@offsample/orchestrator-core/results-format';

export interface GatewayClientOptions {
  /** http(s)://host:port/graphql */
  url: string;
  /** Defaults to `url` with ws(s):. */
  wsUrl?: string;
  /** Sent as `Authorization: Bearer …` and in graphql-ws connectionParams. */
  token?: string | null;
}

export interface ClientErrorField {
  path: string;
  message: string;
}

/** An error answer of the gateway: `code` is its `extensions.code` (UNAUTHENTICATED, BAD_USER_INPUT, …). */
export class GatewayClientError extends Error {
  override readonly name = 'GatewayClientError';
  constructor(
    message: string,
    readonly code: string,
    readonly fields: ClientErrorField[] = [],
    readonly httpStatus: number | null = null,
  ) {
    super(message);
  }
}

export interface JobView {
  id: string;
  name: string;
  status: string;
  backend: string;
  totalInputs: number;
  done: number;
  failed: number;
  splitSize: number;
  numTaskManagers: number;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

export interface ProgressView {
  jobId: string;
  name: string;
  status: string;
  totalInputs: number;
  done: number;
  failed: number;
  imagesPerSecond: number;
  etaSeconds: number | null;
  activeTaskManagers: number;
  splits: { total: number; pending: number; running: number; done: number; failed: number };
  stuckSplits: { ordinal: number; reason: string; ageMs: number }[];
  errorsByCode: { code: string; count: number }[];
}

/** A result or error record as the results query returns it (the fields every export writes). */
export type ResultView = ResultRow;

export interface ResultFilterInput {
  label?: string;
  errorCode?: string;
  hasError?: boolean;
}

const JOB_FIELDS = 'id name status backend totalInputs done failed splitSize numTaskManagers createdAt startedAt endedAt';
const PROGRESS_FIELDS =
  'jobId name status totalInputs done failed imagesPerSecond etaSeconds activeTaskManagers splits { total pending running done failed } stuckSplits { ordinal reason ageMs } errorsByCode { code count }';
const RESULT_FIELDS = 'inputIndex input label probabilities errorCode errorMessage';
const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

type Raw = { data?: unknown; errors?: { message: string; extensions?: { code?: string; fields?: ClientErrorField[] } }[] };

function toError(errors: NonNullable<Raw['errors']>, httpStatus: number | null): GatewayClientError {
  const first = errors[0];
  return new GatewayClientError(
    errors.map((e) => e.message).join('; '),
    first?.extensions?.code ?? 'INTERNAL_SERVER_ERROR',
    errors.flatMap((e) => e.extensions?.fields ?? []),
    httpStatus,
  );
}

export class GatewayClient {
  private readonly wsUrl: string;
  private ws: Client | null = null;

  constructor(private readonly opts: GatewayClientOptions) {
    this.wsUrl = opts.wsUrl ?? opts.url.replace(/^http/i, 'ws');
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
    } catch (err) {
      throw new GatewayClientError(`cannot reach the gateway at ${this.opts.url}: ${err instanceof Error ? err.message : String(err)}`, 'UNREACHABLE');
    }
    const body = (await res.json().catch(() => null)) as Raw | null;
    if (!body) throw new GatewayClientError(`the gateway answered HTTP ${res.status} without a GraphQL body`, 'BAD_RESPONSE', [], res.status);
    if (body.errors?.length) throw toError(body.errors, res.status);
    return body.data as T;
  }

  /** Submits a job (SubmitJobInput: name, inputs or inputsFrom, settings) and returns it QUEUED. */
  async submitJob(input: Record<string, unknown>): Promise<JobView> {
    const data = await this.request<{ submitJob: JobView }>(`mutation Submit($input: SubmitJobInput!) { submitJob(input: $input) { ${JOB_FIELDS} } }`, { input });
    return data.submitJob;
  }

  async cancelJob(id: string): Promise<JobView> {
    return (await this.request<{ cancelJob: JobView }>(`mutation Cancel($id: ID!) { cancelJob(id: $id) { ${JOB_FIELDS} } }`, { id })).cancelJob;
  }

  async job(id: string): Promise<JobView | null> {
    return (await this.request<{ job: JobView | null }>(`query Job($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id })).job;
  }

  async progress(id: string): Promise<ProgressView | null> {
    const data = await this.request<{ job: { progress: ProgressView | null } | null }>(`query P($id: ID!) { job(id: $id) { progress { ${PROGRESS_FIELDS} } } }`, { id });
    return data.job?.progress ?? null;
  }

  /** Newest first; `first` up to 500 per page. */
  async jobs(opts: { status?: string[]; first?: number; after?: string | null } = {}): Promise<{ nodes: JobView[]; totalCount: number; endCursor: string | null; hasNextPage: boolean }> {
    const data = await this.request<{ jobs: { nodes: JobView[]; totalCount: number; pageInfo: { endCursor: string | null; hasNextPage: boolean } } }>(
      `query Jobs($filter: JobFilter, $first: Int!, $after: String) { jobs(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${JOB_FIELDS} } } }`,
      { filter: opts.status ? { status: opts.status } : null, first: opts.first ?? 20, after: opts.after ?? null },
    );
    return { nodes: data.jobs.nodes, totalCount: data.jobs.totalCount, ...data.jobs.pageInfo };
  }

  /** Every result of a job by input index, fetched page by page (never the whole job at once). */
  async *results(jobId: string, opts: { filter?: ResultFilterInput; pageSize?: number } = {}): AsyncGenerator<ResultView> {
    let after: string | null = null;
    for (;;) {
      const data: { results: { nodes: ResultView[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await this.request(
        `query R($jobId: ID!, $filter: ResultFilter, $first: Int!, $after: String) { results(jobId: $jobId, filter: $filter, first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${RESULT_FIELDS} } } }`,
        { jobId, filter: opts.filter ?? null, first: opts.pageSize ?? 500, after },
      );
      yield* data.results.nodes;
      if (!data.results.pageInfo.hasNextPage) return;
      after = data.results.pageInfo.endCursor;
    }
  }

  /**
   * Follows `jobProgress` until the job ends; calls `onEvent` for every event and resolves with the
   * last one. Rejects with a GatewayClientError (NOT_FOUND, UNAUTHENTICATED, …) or when the
   * connection drops before the job ended.
   */
  async followProgress(jobId: string, onEvent: (p: ProgressView) => void = () => {}): Promise<ProgressView> {
    const ws = this.socket();
    let last: ProgressView | null = null;
    try {
      const query = `subscription Follow($jobId: ID!) { jobProgress(jobId: $jobId) { ${PROGRESS_FIELDS} } }`;
      for await (const msg of ws.iterate({ query, variables: { jobId } })) {
        const raw = msg as Raw;
        if (raw.errors?.length) throw toError(raw.errors, null);
        last = (raw.data as { jobProgress: ProgressView }).jobProgress;
        onEvent(last);
      }
    } catch (err) {
      if (err instanceof GatewayClientError) throw err;
      if (Array.isArray(err)) throw toError(err as NonNullable<Raw['errors']>, null);
      const code = (err as { code?: unknown } | null)?.code;
      if (code === 4403) throw new GatewayClientError('A valid API token is required', 'UNAUTHENTICATED');
      throw new GatewayClientError(`lost the progress stream: ${describe(err)}`, 'UNREACHABLE');
    }
    if (!last || !FINAL.has(last.status)) throw new GatewayClientError('the progress stream ended before the job did', 'UNREACHABLE');
    return last;
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
    this.ws = null;
  }

  private socket(): Client {
    this.ws ??= createClient({
      url: this.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 3,
      // Retry dropped connections only: a refusal (4403 bad token, 44xx) will not change on retry.
      shouldRetry: (e) => !(typeof (e as { code?: unknown } | null)?.code === 'number' && (e as { code: number }).code >= 4000),
      connectionParams: this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {},
    });
    return this.ws;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  const e = err as { code?: unknown; reason?: unknown } | null;
  if (e && typeof e.code === 'number') return `closed with ${e.code}${e.reason ? ` ${String(e.reason)}` : ''}`;
  return String(err);
}

export function createGatewayClient(opts: GatewayClientOptions): GatewayClient {
  return new GatewayClient(opts);
}

/**
 * GET /api/export?jobId=…&format=csv|jsonl[&label=…][&errorCode=…]
 * Streams a job's results from the gateway, one page at a time, so a big job never sits in memory,
 * in the same text form as the job's own results.jsonl and `offsample results` (results-format.ts).
 */
import { serverConfig } from '@/lib/server-config';
import { CSV_HEADER, RESULT_FORMATS, resultLineWriter, type ResultFormat } from '@offsample/orchestrator-core/results-format';
import { RESULTS_QUERY } from '@/lib/queries';
import type { Connection, ResultRow } from '@/lib/types';

export const dynamic = 'force-dynamic';

/** The gateway's largest page (PAGE_DEFAULTS.maxPageSize). */
const PAGE_SIZE = 500;

class ExportError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function fetchPage(jobId: string, filter: Record<string, string>, after: string | null): Promise<Connection<ResultRow>> {
  const { graphqlUrl, apiToken } = serverConfig();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiToken) headers.authorization = `Bearer ${apiToken}`;
  const res = await fetch(graphqlUrl, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: RESULTS_QUERY, variables: { jobId, filter, first: PAGE_SIZE, after } }),
    cache: 'no-store',
  });
  const body = (await res.json()) as { data?: { results: Connection<ResultRow> }; errors?: { message: string; extensions?: { code?: string } }[] };
  const err = body.errors?.[0];
  if (err) throw new ExportError(err.extensions?.code === 'NOT_FOUND' ? 404 : 502, err.message);
  if (!body.data) throw new ExportError(502, `gateway answered HTTP ${res.status} without data`);
  return body.data.results;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'job';
}

export async function GET(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const jobId = url.searchParams.get('jobId');
  const format = (url.searchParams.get('format') ?? 'csv') as ResultFormat;
  if (!jobId) return new Response('jobId is required\n', { status: 400 });
  if (!RESULT_FORMATS.includes(format)) return new Response(`format must be csv or jsonl, got ${JSON.stringify(format)}\n`, { status: 400 });
  const filter: Record<string, string> = {};
  for (const key of ['label', 'errorCode'] as const) {
    const v = url.searchParams.get(key);
    if (v) filter[key] = v;
  }

  // The first page is read before answering, so a bad job id is a clean 404 rather than a cut stream.
  let first: Connection<ResultRow>;
  try {
    first = await fetchPage(jobId, filter, null);
  } catch (err) {
    const status = err instanceof ExportError ? err.status : 502;
    return new Response(`${err instanceof Error ? err.message : String(err)}\n`, { status });
  }
  const encoder = new TextEncoder();
  const line = resultLineWriter(format);
  let page: Connection<ResultRow> | null = first;
  let started = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!started) {
          started = true;
          if (format === 'csv') controller.enqueue(encoder.encode(CSV_HEADER));
        }
        if (!page) {
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(page.nodes.map(line).join('')));
        page = page.pageInfo.hasNextPage && page.pageInfo.endCursor ? await fetchPage(jobId, filter, page.pageInfo.endCursor) : null;
      } catch (err) {
        controller.error(err);
      }
    },
  });
  const filename = `${safeName(jobId)}-results${filter.label ? `-${safeName(filter.label)}` : ''}${filter.errorCode ? `-${safeName(filter.errorCode)}` : ''}.${format}`;
  return new Response(stream, {
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
      'x-total-count': String(first.totalCount),
    },
  });
}

'use client';
/** Results browser: cursor pages, filters on label and error code, thumbnails, downloads. */
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { useQuery } from '@/lib/hooks';
import { RESULTS_HEADER_QUERY, RESULTS_QUERY } from '@/lib/queries';
import type { Connection, ErrorCount, JobRow, ResultRow } from '@/lib/types';
import { formatInt } from '@/lib/format';
import { ResultsTable, learnLabelNames } from './ResultsTable';

const PAGE_SIZE = 50;

export interface ResultFilters {
  label: string | null;
  errorCode: string | null;
}

export function ResultsView({ jobId, initial }: { jobId: string; initial: ResultFilters }) {
  const router = useRouter();
  const pathname = usePathname();
  const [filters, setFilters] = useState<ResultFilters>(initial);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [labelNames, setLabelNames] = useState<string[]>([]);
  const header = useQuery<{ job: (JobRow & { errorsByCode: ErrorCount[] }) | null }>(RESULTS_HEADER_QUERY, { id: jobId });
  const filter = {
    ...(filters.label ? { label: filters.label } : {}),
    ...(filters.errorCode ? { errorCode: filters.errorCode } : {}),
  };
  const after = cursors[cursors.length - 1] ?? null;
  const { data, error, loading } = useQuery<{ results: Connection<ResultRow> }>(RESULTS_QUERY, { jobId, filter, first: PAGE_SIZE, after });
  const rows = data?.results.nodes ?? [];

  // Label names are learned from labelled rows (the label is the arg-max class), across pages.
  useEffect(() => {
    if (rows.length) setLabelNames((prev) => learnLabelNames(rows, prev));
  }, [rows]);

  function apply(next: ResultFilters) {
    setFilters(next);
    setCursors([null]);
    const q = new URLSearchParams();
    if (next.label) q.set('label', next.label);
    if (next.errorCode) q.set('errorCode', next.errorCode);
    router.replace(`${pathname}${q.size ? `?${q}` : ''}`, { scroll: false });
  }

  const job = header.data?.job ?? null;
  const exportQuery = new URLSearchParams({ jobId, ...filter });
  const labelOptions = [...new Set([...labelNames.filter(Boolean), ...(filters.label ? [filters.label] : [])])];
  const codeOptions = [...new Set([...(job?.errorsByCode.map((e) => e.code) ?? []), ...(filters.errorCode ? [filters.errorCode] : [])])];
  const firstIndex = (cursors.length - 1) * PAGE_SIZE;

  if (header.data && !job) {
    return (
      <div className="panel empty">
        No job with id <code>{jobId}</code>. <Link href="/">All jobs</Link>
      </div>
    );
  }

  return (
    <>
      <div className="crumbs">
        <Link href="/">Jobs</Link> / <Link href={`/jobs/${encodeURIComponent(jobId)}`}>{job?.name ?? jobId}</Link> / results
      </div>
      <div className="page-head">
        <div>
          <h1>Results</h1>
          <div className="sub num">
            {job ? `${formatInt(job.done)} labelled · ${formatInt(job.failed)} failed · ${formatInt(job.totalInputs)} inputs` : '\u00a0'}
          </div>
        </div>
        <div className="toolbar">
          <a className="btn" href={`/api/export?${new URLSearchParams({ ...Object.fromEntries(exportQuery), format: 'csv' })}`} download data-testid="download-csv">
            ↓ CSV
          </a>
          <a className="btn" href={`/api/export?${new URLSearchParams({ ...Object.fromEntries(exportQuery), format: 'jsonl' })}`} download data-testid="download-jsonl">
            ↓ JSONL
          </a>
        </div>
      </div>
      <div className="panel">
        <div className="panel-head">
          <div className="toolbar">
            <label className="field" style={{ minWidth: 160 }}>
              Label
              <select
                aria-label="Filter by label"
                value={filters.label ?? ''}
                onChange={(e) => apply({ label: e.target.value || null, errorCode: e.target.value ? null : filters.errorCode })}
              >
                <option value="">any</option>
                {labelOptions.map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
            <label className="field" style={{ minWidth: 160 }}>
              Error code
              <select
                aria-label="Filter by error code"
                value={filters.errorCode ?? ''}
                onChange={(e) => apply({ errorCode: e.target.value || null, label: e.target.value ? null : filters.label })}
              >
                <option value="">any</option>
                {codeOptions.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
            {filters.label || filters.errorCode ? (
              <button type="button" className="btn" style={{ alignSelf: 'flex-end' }} onClick={() => apply({ label: null, errorCode: null })}>
                Clear filters
              </button>
            ) : null}
          </div>
          <span className="small muted num" data-testid="results-count">
            {data ? `${formatInt(data.results.totalCount)} matching` : ''}
          </span>
        </div>
        {error ? (
          <div className="alert alert-error" role="alert">
            Could not load results: {error.message}
          </div>
        ) : null}
        <ResultsTable rows={rows} labelNames={labelNames} />
        {data && rows.length === 0 ? <div className="empty">No results match.</div> : null}
        {!data && loading ? <div className="empty">Loading…</div> : null}
        <div className="pager">
          <button type="button" className="btn" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            ← Previous
          </button>
          <span className="small muted num">
            {rows.length ? `${formatInt(firstIndex + 1)}–${formatInt(firstIndex + rows.length)}` : ''}
            {data ? ` of ${formatInt(data.results.totalCount)}` : ''}
          </span>
          <button
            type="button"
            className="btn"
            disabled={!data?.results.pageInfo.hasNextPage}
            onClick={() => setCursors((c) => [...c, data?.results.pageInfo.endCursor ?? null])}
            data-testid="next-page"
          >
            Next →
          </button>
        </div>
      </div>
    </>
  );
}

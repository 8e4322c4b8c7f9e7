'use client';
/** Jobs list: status filter, cursor pages, live refresh every 2 s while a listed job is active. */
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { useNow, useQuery } from '@/lib/hooks';
import { JOBS_QUERY } from '@/lib/queries';
import { JOB_STATUSES, isActive, type Connection, type JobRow, type JobStatus } from '@/lib/types';
import { formatDateTime, formatDuration, formatInt, formatRate } from '@/lib/format';
import { ProgressBar } from './ProgressBar';
import { StatusBadge } from './StatusBadge';
import { SubmitJobForm } from './SubmitJobForm';

const PAGE_SIZE = 25;
/** Refresh while something moves; slowly otherwise, to notice jobs submitted elsewhere. */
const ACTIVE_POLL_MS = 2000;
const IDLE_POLL_MS = 10_000;

type JobListRow = JobRow & { progress: { imagesPerSecond: number } | null };

/** Rolling rate while running; the whole job's average once it has ended. */
function rateOf(job: JobListRow): number | null {
  if (job.status === 'RUNNING') return job.progress?.imagesPerSecond ?? null;
  if (!job.startedAt || !job.endedAt) return null;
  const s = (Date.parse(job.endedAt) - Date.parse(job.startedAt)) / 1000;
  return s > 0 ? (job.done + job.failed) / s : null;
}

function durationOf(job: JobRow, now: number | null): number | null {
  if (!job.startedAt) return null;
  const end = job.endedAt ? Date.parse(job.endedAt) : now;
  return end === null ? null : end - Date.parse(job.startedAt);
}

export function JobsView() {
  const [status, setStatus] = useState<JobStatus | null>(null);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [showForm, setShowForm] = useState(false);
  const after = cursors[cursors.length - 1] ?? null;
  const [pollMs, setPollMs] = useState(ACTIVE_POLL_MS);
  const { data, error, loading } = useQuery<{ jobs: Connection<JobListRow> }>(
    JOBS_QUERY,
    { filter: status ? { status: [status] } : null, first: PAGE_SIZE, after },
    { pollMs },
  );
  const now = useNow(1000);
  const jobs = data?.jobs.nodes ?? [];
  const anyActive = jobs.some((j) => isActive(j.status));
  useEffect(() => {
    if (data) setPollMs(anyActive ? ACTIVE_POLL_MS : IDLE_POLL_MS);
  }, [data, anyActive]);

  function pickStatus(s: JobStatus | null) {
    setStatus(s);
    setCursors([null]);
  }

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Jobs</h1>
          <div className="sub num">
            {data ? `${formatInt(data.jobs.totalCount)} ${status ? status.toLowerCase() : 'in total'}` : '\u00a0'}
            {anyActive ? ' · live' : ''}
          </div>
        </div>
        <button type="button" className="btn btn-primary" onClick={() => setShowForm((v) => !v)} aria-expanded={showForm}>
          {showForm ? 'Hide form' : 'New job'}
        </button>
      </div>
      {showForm ? <SubmitJobForm onCancel={() => setShowForm(false)} /> : null}
      <div className="panel">
        <div className="panel-head">
          <div className="seg" role="group" aria-label="Filter by status">
            <button type="button" aria-pressed={status === null} onClick={() => pickStatus(null)}>
              All
            </button>
            {JOB_STATUSES.map((s) => (
              <button key={s} type="button" aria-pressed={status === s} onClick={() => pickStatus(s)}>
                {s.toLowerCase()}
              </button>
            ))}
          </div>
        </div>
        {error ? (
          <div className="alert alert-error" role="alert">
            Could not load jobs: {error.message}
          </div>
        ) : null}
        <div className="table-wrap">
          <table className="cards" data-testid="jobs-table">
            <thead>
              <tr>
                <th>Job</th>
                <th>Status</th>
                <th>Progress</th>
                <th className="r">Images/s</th>
                <th>Backend</th>
                <th>Started</th>
                <th className="r">Duration</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => (
                <tr key={job.id} data-job-id={job.id} data-status={job.status}>
                  <td className="first" data-label="Job">
                    <Link href={`/jobs/${encodeURIComponent(job.id)}`}>{job.name}</Link>
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={job.status} />
                  </td>
                  <td data-label="Progress">
                    <div style={{ display: 'flex', flexDirection: 'column', gap: 2, flex: 1, alignItems: 'stretch' }}>
                      <ProgressBar done={job.done} failed={job.failed} total={job.totalInputs} />
                      <span className="small muted num">
                        {formatInt(job.done + job.failed)} / {formatInt(job.totalInputs)} inputs
                        {job.failed ? ` · ${formatInt(job.failed)} failed` : ''}
                      </span>
                    </div>
                  </td>
                  <td className="r num" data-label="Images/s" title={job.status === 'RUNNING' ? 'rolling rate' : 'average over the run'}>
                    {formatRate(rateOf(job))}
                  </td>
                  <td data-label="Backend">{job.backend.toLowerCase()}</td>
                  <td className="num" data-label="Started">
                    {now === null ? '' : formatDateTime(job.startedAt ?? null)}
                  </td>
                  <td className="r num" data-label="Duration">
                    {formatDuration(durationOf(job, now))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {data && jobs.length === 0 ? <div className="empty">No {status ? status.toLowerCase() : ''} jobs yet.</div> : null}
          {!data && loading ? <div className="empty">Loading…</div> : null}
        </div>
        <div className="pager">
          <button type="button" className="btn" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            ← Newer
          </button>
          <span className="small muted num">page {cursors.length}</span>
          <button
            type="button"
            className="btn"
            disabled={!data?.jobs.pageInfo.hasNextPage}
            onClick={() => setCursors((c) => [...c, data?.jobs.pageInfo.endCursor ?? null])}
          >
            Older →
          </button>
        </div>
      </div>
    </>
  );
}

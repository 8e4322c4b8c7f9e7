'use client';
/**
 * One job: live progress and ETA from the `jobProgress` subscription; throughput, split timeline,
 * task managers re-read every few seconds while the job is active; stuck splits; errors; cancel.
 */
import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import { gql } from '@/lib/graphql-client';
import { useNow, useQuery, useSubscription } from '@/lib/hooks';
import { CANCEL_JOB_MUTATION, JOB_PROGRESS_SUBSCRIPTION, JOB_QUERY } from '@/lib/queries';
import { isActive, type ErrorCount, type JobProgress, type JobRow, type Split, type TaskManager, type ThroughputPoint } from '@/lib/types';
import { formatDateTime, formatDuration, formatInt, formatPercent, formatRate, formatSeconds } from '@/lib/format';
import { ErrorsByCode } from './ErrorsByCode';
import { ProgressBar } from './ProgressBar';
import { SplitTimeline, timelineAttempts } from './SplitTimeline';
import { Stat } from './Stat';
import { StatusBadge } from './StatusBadge';
import { StuckSplitsTable } from './StuckSplitsTable';
import { TaskManagersTable, taskManagerLabels } from './TaskManagersTable';
import { ThroughputChart } from './ThroughputChart';

interface JobDetail extends JobRow {
  settings: unknown;
  errorsByCode: ErrorCount[];
  progress: JobProgress | null;
  throughput: ThroughputPoint[];
  taskManagers: TaskManager[];
  splits: Split[];
}

/** Details (splits, attempts, TMs) are re-read this often while the job is active. */
const DETAIL_POLL_MS = 2000;
/** After the end, keep re-reading at most this long for task managers to report. */
const SETTLE_MAX_MS = 60_000;

/** About 60 throughput buckets over the run so far, on round sizes (1 s … 10 min). */
function bucketSecondsFor(elapsedMs: number): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600];
  return steps.find((s) => s * 60 * 1000 >= elapsedMs) ?? 600;
}

export function JobView({ id }: { id: string }) {
  const now = useNow(1000);
  const [bucketSeconds, setBucketSeconds] = useState(1);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const live = useSubscription<{ jobProgress: JobProgress }>(JOB_PROGRESS_SUBSCRIPTION, { jobId: id });
  const liveProgress = live.data?.jobProgress ?? null;
  const [settled, setSettled] = useState(false);
  const { data, error, refetch } = useQuery<{ job: JobDetail | null }>(JOB_QUERY, { id, bucketSeconds }, { pollMs: settled ? null : DETAIL_POLL_MS });
  const job = data?.job ?? null;
  // While the job runs the stream is freshest; once it has ended, the re-read job is (its task
  // managers keep exiting and reporting for a moment after the final event).
  const reread = job?.progress ?? null;
  const progress = !liveProgress ? reread : isActive(liveProgress.status) || !reread || isActive(reread.status) ? liveProgress : reread;
  const status = progress?.status ?? job?.status;

  // Details stop being re-read once the job has ended and every task manager has reported its end
  // (or SETTLE_MAX_MS after the end, should one never report).
  useEffect(() => {
    if (!job) return;
    const ended = !isActive(job.status) && job.endedAt !== null;
    const tmsDone = job.taskManagers.every((tm) => tm.endedAt !== null);
    const tooLong = ended && Date.now() - Date.parse(job.endedAt!) > SETTLE_MAX_MS;
    setSettled(ended && (tmsDone || tooLong));
  }, [job]);

  // One last read once the stream ends, so the timeline and chart show the finished job.
  useEffect(() => {
    if (live.completed || (liveProgress && !isActive(liveProgress.status))) refetch();
  }, [live.completed, liveProgress?.status, refetch]); // eslint-disable-line react-hooks/exhaustive-deps

  const startedAt = progress?.startedAt ?? job?.startedAt ?? null;
  const endedAt = progress?.endedAt ?? job?.endedAt ?? null;
  const elapsedMs = startedAt && now !== null ? (endedAt ? Date.parse(endedAt) : now) - Date.parse(startedAt) : null;
  useEffect(() => {
    if (elapsedMs !== null) setBucketSeconds(bucketSecondsFor(elapsedMs));
  }, [elapsedMs === null ? null : bucketSecondsFor(elapsedMs)]); // eslint-disable-line react-hooks/exhaustive-deps

  const tmLabels = useMemo(() => taskManagerLabels(job?.taskManagers ?? []), [job?.taskManagers]);
  const attempts = useMemo(() => timelineAttempts(job?.splits ?? []), [job?.splits]);

  async function cancel() {
    if (!window.confirm('Cancel this job? Unfinished inputs get a CANCELLED error record.')) return;
    setCancelling(true);
    setCancelError(null);
    try {
      await gql(CANCEL_JOB_MUTATION, { id });
      refetch();
    } catch (err) {
      setCancelError(err instanceof Error ? err.message : String(err));
    } finally {
      setCancelling(false);
    }
  }

  if (error && !job) {
    return (
      <div className="alert alert-error" role="alert">
        Could not load job {id}: {error.message}
      </div>
    );
  }
  if (data && !job) {
    return (
      <div className="panel empty">
        No job with id <code>{id}</code>. <Link href="/">All jobs</Link>
      </div>
    );
  }
  if (!job || !progress || !status) return <div className="panel empty">Loading…</div>;

  const finished = progress.done + progress.failed;
  const liveOn = liveProgress !== null && live.error === null;
  const errors = progress.errorsByCode.length ? progress.errorsByCode : job.errorsByCode;
  const overallRate = elapsedMs && elapsedMs > 0 ? finished / (elapsedMs / 1000) : null;

  return (
    <>
      <div className="crumbs">
        <Link href="/">Jobs</Link> / {job.name}
      </div>
      <div className="page-head">
        <div>
          <h1 style={{ display: 'flex', alignItems: 'center', gap: 10, flexWrap: 'wrap' }}>
            {job.name} <StatusBadge status={status} />
            {isActive(status) ? (
              <span
                className={`live ${liveOn ? 'live-on' : 'live-off'}`}
                data-testid="live-indicator"
                data-live={liveOn ? 'on' : 'off'}
                title={liveOn ? 'updated by the jobProgress subscription' : 'no live stream: re-reading every 2 s'}
              >
                {liveOn ? 'live' : 'polling'}
              </span>
            ) : null}
          </h1>
          <div className="sub">
            <code>{job.id}</code> · {job.backend.toLowerCase()} · {job.splitMode.toLowerCase()} splits of {formatInt(job.splitSize)} · {formatInt(job.numTaskManagers)} TMs ·
            submitted {now === null ? '' : formatDateTime(job.createdAt)}
          </div>
        </div>
        <div className="toolbar">
          <Link className="btn" href={`/jobs/${encodeURIComponent(id)}/results`}>
            Results →
          </Link>
          {isActive(status) ? (
            <button type="button" className="btn btn-danger" onClick={cancel} disabled={cancelling}>
              {cancelling ? 'Cancelling…' : 'Cancel job'}
            </button>
          ) : null}
        </div>
      </div>
      {cancelError ? (
        <div className="alert alert-error" role="alert">
          Cancel failed: {cancelError}
        </div>
      ) : null}
      {live.error && isActive(status) ? (
        <div className="alert alert-info" role="status">
          Live updates interrupted ({live.error.message}); reconnecting and re-reading every {DETAIL_POLL_MS / 1000} s.
        </div>
      ) : null}

      <div className="panel">
        <ProgressBar done={progress.done} failed={progress.failed} total={progress.totalInputs} large />
        <div className="small muted num" style={{ marginTop: 6 }} data-testid="progress-counts">
          {formatInt(finished)} of {formatInt(progress.totalInputs)} inputs finished · {formatInt(progress.done)} labelled · {formatInt(progress.failed)} failed
        </div>
      </div>

      <div className="stats">
        <Stat label="Done" value={formatPercent(progress.totalInputs ? finished / progress.totalInputs : 0)} testId="stat-done" note={`${formatInt(finished)} inputs`} />
        <Stat
          label={isActive(status) ? 'Rate (rolling)' : 'Rate (average)'}
          value={formatRate(isActive(status) ? progress.imagesPerSecond : overallRate).replace(' img/s', '')}
          unit="img/s"
          testId="stat-rate"
        />
        <Stat label="ETA" value={isActive(status) ? formatSeconds(progress.etaSeconds) : '—'} testId="stat-eta" note={endedAt ? `ended ${formatDateTime(endedAt).slice(11)}` : undefined} />
        <Stat label="Elapsed" value={formatDuration(elapsedMs)} note={startedAt ? `since ${formatDateTime(startedAt).slice(11)}` : 'not started'} />
        <Stat label="Active TMs" value={formatInt(progress.activeTaskManagers)} note={`${formatInt(job.taskManagers.length)} started`} />
        <Stat
          label="Splits"
          value={`${formatInt(progress.splits.done)} / ${formatInt(progress.splits.total)}`}
          note={`${progress.splits.running} running · median ${formatDuration(progress.medianSplitMs)}`}
        />
      </div>

      <div className="panel">
        <div className="panel-head">
          <h2>Throughput</h2>
          <span className="small muted">inputs finished per second (results and errors)</span>
        </div>
        <ThroughputChart
          points={job.throughput}
          startedAt={startedAt}
          bucketMs={bucketSeconds * 1000}
          untilMs={endedAt ? Date.parse(endedAt) : now}
        />
      </div>

      <div className="panel">
        <div className="panel-head">
          <h2>Split timeline</h2>
          <span className="small muted">one row per task manager, one bar per attempt</span>
        </div>
        <SplitTimeline attempts={attempts} tmLabels={tmLabels} startedAt={startedAt} endedAt={endedAt} now={now ?? Date.now()} />
      </div>

      <div className="grid-2">
        <div className="panel">
          <div className="panel-head">
            <h2>Stuck splits</h2>
            <span className="small muted num">{progress.stuckSplits.length} now</span>
          </div>
          <StuckSplitsTable stuck={progress.stuckSplits} tmLabels={tmLabels} />
        </div>
        <div className="panel">
          <div className="panel-head">
            <h2>Errors by code</h2>
            <span className="small muted num">{formatInt(progress.failed)} inputs</span>
          </div>
          <ErrorsByCode jobId={id} errors={errors} totalInputs={progress.totalInputs} />
        </div>
      </div>

      <div className="panel" style={{ marginTop: 16 }}>
        <div className="panel-head">
          <h2>Task managers</h2>
          <span className="small muted num">{job.taskManagers.length}</span>
        </div>
        <TaskManagersTable taskManagers={job.taskManagers} tmLabels={tmLabels} now={now} />
      </div>
    </>
  );
}

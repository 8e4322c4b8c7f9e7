import { formatPercent } from '@/lib/format';

/** Done (green) and failed (red) inputs as parts of the total. */
export function ProgressBar({ done, failed, total, large }: { done: number; failed: number; total: number; large?: boolean }) {
  const safeTotal = Math.max(total, 1);
  const doneFrac = done / safeTotal;
  const failedFrac = failed / safeTotal;
  const finished = total === 0 ? 0 : (done + failed) / total;
  return (
    <div
      className={`progress${large ? ' progress-lg' : ''}`}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={done + failed}
      aria-label={`${done + failed} of ${total} inputs finished`}
    >
      <div className="progress-track">
        <div className="progress-done" style={{ width: `${doneFrac * 100}%` }} />
        <div className="progress-failed" style={{ width: `${failedFrac * 100}%` }} />
      </div>
      <span className="progress-label" data-testid="progress-percent">
        {formatPercent(finished)}
      </span>
    </div>
  );
}

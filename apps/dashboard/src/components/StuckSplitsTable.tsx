import type { StuckSplit } from '@/lib/types';
import { formatDuration } from '@/lib/format';

/** Running splits that look stuck: age against the median split time, the TM, the lease. */
export function StuckSplitsTable({ stuck, tmLabels }: { stuck: StuckSplit[]; tmLabels: Map<string, string> }) {
  if (stuck.length === 0) return <div className="empty">No stuck splits.</div>;
  return (
    <div className="table-wrap">
      <table className="cards" data-testid="stuck-splits">
        <thead>
          <tr>
            <th>Split</th>
            <th className="r">Age</th>
            <th>Task manager</th>
            <th className="r">Lease</th>
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          {stuck.map((s) => {
            const ratio = s.medianSplitMs ? s.ageMs / s.medianSplitMs : null;
            return (
              <tr key={s.attemptId} data-split-ordinal={s.ordinal}>
                <td className="first num" data-label="Split">
                  #{s.ordinal} {s.speculative ? <span className="tag tag-spec">copy</span> : null}
                </td>
                <td className="r num" data-label="Age">
                  <span className="cell-stack">
                    {formatDuration(s.ageMs)}
                    <span className="small muted">
                      {ratio === null ? 'no median yet' : `${ratio.toFixed(ratio < 10 ? 1 : 0)} × median ${formatDuration(s.medianSplitMs)}`}
                    </span>
                  </span>
                </td>
                <td data-label="Task manager" title={s.taskManagerId}>
                  {tmLabels.get(s.taskManagerId) ?? <code>{s.taskManagerId.slice(0, 8)}</code>}
                </td>
                <td className="r num" data-label="Lease">
                  {s.leaseExpiresInMs < 0 ? (
                    <span style={{ color: 'var(--bad)' }}>lapsed {formatDuration(-s.leaseExpiresInMs)} ago</span>
                  ) : (
                    `${formatDuration(s.leaseExpiresInMs)} left`
                  )}
                </td>
                <td data-label="Why">
                  <span className={`tag ${s.reason === 'SLOW' ? 'tag-retry' : 'tag-err'}`}>{s.reason === 'SLOW' ? 'slow' : 'lease lapsing'}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

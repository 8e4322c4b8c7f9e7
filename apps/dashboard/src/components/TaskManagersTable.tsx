import type { TaskManager } from '@/lib/types';
import { formatDuration, formatInt, formatPercent, formatTime } from '@/lib/format';
import { StatusBadge } from './StatusBadge';

export function TaskManagersTable({ taskManagers, tmLabels, now }: { taskManagers: TaskManager[]; tmLabels: Map<string, string>; now: number | null }) {
  if (taskManagers.length === 0) return <div className="empty">No task manager started yet.</div>;
  const sorted = [...taskManagers].sort((a, b) => (tmLabels.get(a.id) ?? a.id).localeCompare(tmLabels.get(b.id) ?? b.id, 'en', { numeric: true }));
  return (
    <div className="table-wrap">
      <table className="cards" data-testid="task-managers">
        <thead>
          <tr>
            <th>TM</th>
            <th>Status</th>
            <th className="r">Inputs</th>
            <th className="r">Busy</th>
            <th className="r">Idle</th>
            <th className="r">Busy share</th>
            <th>Started</th>
            <th className="r">Lifetime</th>
            <th>Cold start</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((tm) => {
            const end = tm.endedAt ? Date.parse(tm.endedAt) : now;
            const busyShare = tm.busyMs + tm.idleMs > 0 ? tm.busyMs / (tm.busyMs + tm.idleMs) : null;
            return (
              <tr key={tm.id}>
                <td className="first" data-label="TM" title={tm.id}>
                  {tmLabels.get(tm.id) ?? tm.id.slice(0, 8)} <code className="muted small">{tm.id.slice(0, 8)}</code>
                </td>
                <td data-label="Status">
                  <StatusBadge status={tm.status} />
                </td>
                <td className="r num" data-label="Inputs">
                  {formatInt(tm.items)}
                </td>
                <td className="r num" data-label="Busy">
                  {formatDuration(tm.busyMs)}
                </td>
                <td className="r num" data-label="Idle">
                  {formatDuration(tm.idleMs)}
                </td>
                <td className="r num" data-label="Busy share">
                  {busyShare === null ? '—' : formatPercent(busyShare)}
                </td>
                <td className="num" data-label="Started">
                  {now === null ? '' : formatTime(tm.startedAt)}
                </td>
                <td className="r num" data-label="Lifetime">
                  {end === null ? '—' : formatDuration(end - Date.parse(tm.startedAt))}
                </td>
                <td data-label="Cold start">{tm.coldStart ? 'yes' : 'no'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

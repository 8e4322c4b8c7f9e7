import type { TaskManager } from '@/lib/types';
import { formatDuration, formatInt, formatPercent, formatTime } from '@/lib/format';
import { StatusBadge } from './StatusBadge';

/** TM 1, TM 2, … in order of start, for rows, bars and tables. */
export function taskManagerLabels(taskManagers: TaskManager[]): Map<string, string> {
  const sorted = [...taskManagers].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.id.localeCompare(b.id));
  return new Map(sorted.map((tm, i) => [tm.id, `TM ${i + 1}`]));
}

/** The part of each id after what all of them share (TM ids start with their job's id). */
export function distinctSuffixes(ids: string[]): Map<string, string> {
  let prefix = ids[0] ?? '';
  for (const id of ids) while (!id.startsWith(prefix)) prefix = prefix.slice(0, -1);
  if (ids.length < 2) prefix = '';
  return new Map(ids.map((id) => [id, id.slice(prefix.length).replace(/^[-_:.]+/, '') || id]));
}

export function TaskManagersTable({ taskManagers, tmLabels, now }: { taskManagers: TaskManager[]; tmLabels: Map<string, string>; now: number | null }) {
  if (taskManagers.length === 0) return <div className="empty">No task manager started yet.</div>;
  const sorted = [...taskManagers].sort((a, b) => (tmLabels.get(a.id) ?? a.id).localeCompare(tmLabels.get(b.id) ?? b.id, 'en', { numeric: true }));
  const shortIds = distinctSuffixes(taskManagers.map((tm) => tm.id));
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
            // A TM reports its items and busy/idle time when it ends; until then they read 0.
            const reported = tm.endedAt !== null || tm.items > 0 || tm.busyMs > 0;
            return (
              <tr key={tm.id}>
                <td className="first" data-label="TM" title={tm.id}>
                  {tmLabels.get(tm.id) ?? tm.id} <code className="muted small">{(shortIds.get(tm.id) ?? tm.id).slice(-12)}</code>
                </td>
                <td data-label="Status">
                  <StatusBadge status={tm.status} />
                </td>
                <td className="r num" data-label="Inputs">
                  {reported ? formatInt(tm.items) : '—'}
                </td>
                <td className="r num" data-label="Busy">
                  {reported ? formatDuration(tm.busyMs) : '—'}
                </td>
                <td className="r num" data-label="Idle">
                  {reported ? formatDuration(tm.idleMs) : '—'}
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

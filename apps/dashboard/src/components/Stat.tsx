import type { ReactNode } from 'react';

/** One figure in the stats strip: a label, a value with its unit, an optional note. */
export function Stat({ label, value, unit, note, testId }: { label: string; value: ReactNode; unit?: string; note?: ReactNode; testId?: string }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value" data-testid={testId}>
        {value}
        {unit ? <span className="unit">{unit}</span> : null}
      </div>
      {note ? <div className="stat-note">{note}</div> : null}
    </div>
  );
}

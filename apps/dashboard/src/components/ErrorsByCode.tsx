import Link from 'next/link';
import type { ErrorCount } from '@/lib/types';
import { formatInt, formatPercent } from '@/lib/format';

/** Error records by code, each linking to the results browser filtered on it. */
export function ErrorsByCode({ jobId, errors, totalInputs }: { jobId: string; errors: ErrorCount[]; totalInputs: number }) {
  if (errors.length === 0) return <div className="empty">No errors.</div>;
  const max = Math.max(...errors.map((e) => e.count), 1);
  return (
    <div className="table-wrap">
      <table data-testid="errors-by-code">
        <thead>
          <tr>
            <th>Code</th>
            <th className="r">Inputs</th>
            <th className="r">Share</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((e) => (
            <tr key={e.code}>
              <td>
                <Link href={`/jobs/${encodeURIComponent(jobId)}/results?errorCode=${encodeURIComponent(e.code)}`}>
                  <span className="tag tag-err">{e.code}</span>
                </Link>
                <div className="prob-bar" style={{ marginTop: 4, maxWidth: 220 }}>
                  <div style={{ width: `${(e.count / max) * 100}%`, background: 'var(--bad)' }} />
                </div>
              </td>
              <td className="r num">{formatInt(e.count)}</td>
              <td className="r num">{formatPercent(totalInputs ? e.count / totalInputs : 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

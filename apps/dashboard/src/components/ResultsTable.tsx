'use client';
import { useState } from 'react';
import type { ResultRow } from '@/lib/types';
import { formatProbability } from '@/lib/format';

/**
 * Probabilities come in the model's label order without names; a labelled row names its arg-max
 * class, so each page teaches us names (`prev` keeps what earlier pages taught).
 */
export function learnLabelNames(rows: ResultRow[], prev: string[]): string[] {
  const names = [...prev];
  let changed = false;
  for (const r of rows) {
    const probs = r.probabilities;
    if (!r.label || !probs?.length || names.includes(r.label)) continue;
    const max = Math.max(...probs);
    const best = probs.indexOf(max);
    // A tie names nothing; a slot once named keeps its name.
    if (probs.filter((p) => p === max).length > 1 || names[best]) continue;
    names[best] = r.label;
    changed = true;
  }
  return changed ? Array.from(names, (n) => n ?? '') : prev;
}

function isHttp(input: string): boolean {
  return /^https?:\/\//i.test(input);
}

function Thumb({ src }: { src: string }) {
  const [broken, setBroken] = useState(false);
  if (broken) return <span className="thumb" aria-hidden="true" />;
  // eslint-disable-next-line @next/next/no-img-element -- arbitrary hosts; next/image would proxy them
  return <img className="thumb" src={src} alt="" loading="lazy" width={48} height={48} referrerPolicy="no-referrer" onError={() => setBroken(true)} />;
}

export function ResultsTable({ rows, labelNames }: { rows: ResultRow[]; labelNames: string[] }) {
  if (rows.length === 0) return null;
  return (
    <div className="table-wrap">
      <table className="cards" data-testid="results-table">
        <thead>
          <tr>
            <th className="r">#</th>
            <th>Input</th>
            <th>Label</th>
            <th>Probabilities</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.inputIndex} data-label-value={r.label ?? ''} data-error-code={r.errorCode ?? ''}>
              <td className="r num muted" data-label="#">
                {r.inputIndex}
              </td>
              <td data-label="Input">
                <div className="input-cell">
                  {/* Only inputs that were fetched and classified are shown as images: an errored input may be a 404. */}
                  {isHttp(r.input) && r.label ? <Thumb src={r.input} /> : <span className="thumb thumb-none" aria-hidden="true" />}
                  {isHttp(r.input) ? (
                    <a href={r.input} target="_blank" rel="noreferrer noopener" title={r.input}>
                      {r.input}
                    </a>
                  ) : (
                    <code title={r.input}>{r.input}</code>
                  )}
                </div>
              </td>
              <td data-label="Label">{r.label ? <strong>{r.label}</strong> : <span className="muted">—</span>}</td>
              <td data-label="Probabilities">
                {r.probabilities ? (
                  <div className="probs">
                    {r.probabilities.map((p, i) => (
                      <div className="prob" key={i}>
                        <span className="prob-name">{labelNames[i] || `class ${i}`}</span>
                        <div className="prob-bar">
                          <div style={{ width: `${Math.max(0, Math.min(1, p)) * 100}%` }} />
                        </div>
                        <span className="num">{formatProbability(p)}</span>
                      </div>
                    ))}
                  </div>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td data-label="Error">
                {r.errorCode ? (
                  <span title={r.errorMessage ?? undefined}>
                    <span className="tag tag-err">{r.errorCode}</span>
                    {r.errorMessage ? <div className="small muted" style={{ maxWidth: 320, overflowWrap: 'anywhere' }}>{r.errorMessage}</div> : null}
                  </span>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

'use client';
/** Submit a job: inputs pasted (one per line) or named by a file path / URL, plus the main settings. */
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { gql } from '@/lib/graphql-client';
import { SUBMIT_JOB_MUTATION } from '@/lib/queries';
import { buildSubmitInput, parseInputLines } from '@/lib/submit-input';

type InputsMode = 'paste' | 'from';

export function SubmitJobForm({ onCancel }: { onCancel?: () => void }) {
  const router = useRouter();
  const [mode, setMode] = useState<InputsMode>('paste');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pasted, setPasted] = useState('');
  const count = parseInputLines(pasted).length;

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const s = (k: string) => String(f.get(k) ?? '');
    let input: Record<string, unknown>;
    try {
      input = buildSubmitInput({
        name: s('name'),
        inputsMode: mode,
        inputsText: pasted,
        inputsFrom: s('inputsFrom'),
        bucket: s('bucket'),
        splitSize: s('splitSize'),
        numTaskManagers: s('numTaskManagers'),
        backend: s('backend'),
        splitMode: s('splitMode'),
        speculation: f.get('speculation') === 'on',
        quantile: s('quantile'),
        multiplier: s('multiplier'),
        extraTaskManagers: s('extraTaskManagers'),
        keepAlive: f.get('keepAlive') === 'on',
        heartbeatMs: s('heartbeatMs'),
        leaseMs: s('leaseMs'),
        maxSplitRetries: s('maxSplitRetries'),
        outputStorage: s('outputStorage'),
        outputLocation: s('outputLocation'),
        outputBucket: s('outputBucket'),
        model: s('model'),
        taskManagerConfig: s('taskManagerConfig'),
      });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const data = await gql<{ submitJob: { id: string } }>(SUBMIT_JOB_MUTATION, { input });
      router.push(`/jobs/${encodeURIComponent(data.submitJob.id)}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }

  return (
    <form className="panel" onSubmit={onSubmit} aria-label="Submit a job" data-testid="submit-form">
      <div className="panel-head">
        <h2>New job</h2>
        <div className="seg" role="group" aria-label="Inputs">
          <button type="button" aria-pressed={mode === 'paste'} onClick={() => setMode('paste')}>
            Paste inputs
          </button>
          <button type="button" aria-pressed={mode === 'from'} onClick={() => setMode('from')}>
            From file or URL
          </button>
        </div>
      </div>
      {error ? (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      ) : null}
      <div className="form-grid">
        <label className="field span-2">
          Name
          <input type="text" name="name" placeholder="e.g. ion-images-2025-11" maxLength={200} required />
        </label>
        <label className="field span-2">
          Bucket <span className="hint">empty: inputs are http(s) URLs</span>
          <input type="text" name="bucket" placeholder="optional" />
        </label>
        {mode === 'paste' ? (
          <label className="field span-all">
            Inputs <span className="hint">one URL or object key per line · {count.toLocaleString('en-US')} so far</span>
            <textarea name="inputs" rows={5} value={pasted} onChange={(e) => setPasted(e.target.value)} placeholder={'https://example.org/images/0001.png\nhttps://example.org/images/0002.png'} required />
          </label>
        ) : (
          <label className="field span-all">
            Inputs file or URL <span className="hint">a path on the gateway host or an http(s) URL; one input per line</span>
            <input type="text" name="inputsFrom" placeholder="/data/inputs.txt or https://…/inputs.txt" required />
          </label>
        )}
        <label className="field">
          Split size <span className="hint">inputs per split</span>
          <input type="number" name="splitSize" min={1} placeholder="default" />
        </label>
        <label className="field">
          Task managers
          <input type="number" name="numTaskManagers" min={1} placeholder="default" />
        </label>
        <label className="field">
          Backend
          <select name="backend" defaultValue="">
            <option value="">default</option>
            <option value="LOCAL">local (child processes)</option>
            <option value="LAMBDA">AWS Lambda</option>
          </select>
        </label>
        <label className="field">
          Split mode
          <select name="splitMode" defaultValue="">
            <option value="">default</option>
            <option value="DYNAMIC">dynamic (TMs pull splits)</option>
            <option value="STATIC">static (one split per invocation)</option>
          </select>
        </label>
        <label className="check">
          <input type="checkbox" name="speculation" /> Speculate on slow splits
        </label>
        <label className="field">
          Quantile <span className="hint">0–1 done first</span>
          <input type="number" name="quantile" min={0} max={1} step={0.05} placeholder="default" />
        </label>
        <label className="field">
          Multiplier <span className="hint">× median split time</span>
          <input type="number" name="multiplier" min={1} step={0.1} placeholder="default" />
        </label>
        <label className="check">
          <input type="checkbox" name="keepAlive" defaultChecked /> Keep-alive heartbeats
        </label>
      </div>
      <details className="advanced">
        <summary>More settings</summary>
        <div className="form-grid">
          <label className="field">
            Max split retries
            <input type="number" name="maxSplitRetries" min={0} placeholder="default" />
          </label>
          <label className="field">
            Extra TMs for copies
            <input type="number" name="extraTaskManagers" min={0} placeholder="default" />
          </label>
          <label className="field">
            Heartbeat <span className="hint">ms</span>
            <input type="number" name="heartbeatMs" min={100} placeholder="default" />
          </label>
          <label className="field">
            Lease <span className="hint">ms without a heartbeat</span>
            <input type="number" name="leaseMs" min={1000} placeholder="default" />
          </label>
          <label className="field">
            Output
            <select name="outputStorage" defaultValue="">
              <option value="">default</option>
              <option value="PRINT">print</option>
              <option value="LOCAL">local JSONL</option>
              <option value="S3">S3 object</option>
            </select>
          </label>
          <label className="field">
            Output location
            <input type="text" name="outputLocation" placeholder="directory or key prefix" />
          </label>
          <label className="field">
            Output bucket
            <input type="text" name="outputBucket" placeholder="for S3" />
          </label>
          <label className="field span-2">
            Model <span className="hint">name or directory</span>
            <input type="text" name="model" placeholder="default" />
          </label>
          <label className="field span-all">
            Task-manager config <span className="hint">JSON merged over the defaults, e.g. {'{"load": {"timeoutMs": 20000}}'}</span>
            <textarea name="taskManagerConfig" rows={2} placeholder="{}" />
          </label>
        </div>
      </details>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Submitting…' : 'Submit job'}
        </button>
        {onCancel ? (
          <button type="button" className="btn" onClick={onCancel}>
            Close
          </button>
        ) : null}
      </div>
    </form>
  );
}

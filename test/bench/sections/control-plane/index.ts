/**
 * Section control-plane (issue 4 item 5): the control plane alone, no model and no images (the
 * shared assets run.ts prepares are not used). On a fresh database, dropped at the end:
 *   1. claims + completes per second with simulated task managers against the real worker
 *      endpoint and PgSplitStore (claims.ts: saturation; paced at the target rate; paced at half
 *      the saturation rate, for the latency of a busy but not overrun control plane);
 *   2. result ingest in rows/s (ingest.ts: store.complete path, the same over HTTP, and the bare
 *      bulk insert statement).
 * Settings: defaults.ts, overridable with BENCH_CP_* environment variables (settings.ts).
 */
import path from 'node:path';
import { PgSplitStore } from '@offsample/orchestrator-core';
import type { BenchContext, Section, SectionReport } from '../../section.js';
import { runClaimPhase, type ClaimPhaseFigure } from './claims.js';
import { createBenchDatabase, settleDatabase } from './database.js';
import { CONTROL_PLANE_DEFAULTS } from './defaults.js';
import { runRawInsert, runStoreIngest, type IngestFigure } from './ingest.js';
import { describeControlPlane } from './report.js';
import { compileControlPlaneSettings, Phase, type ControlPlaneSettings } from './settings.js';

export const CONTROL_PLANE_SECTION_ID = 'control-plane';

export interface ControlPlaneMeasurements {
  saturation: ClaimPhaseFigure | null;
  paced: ClaimPhaseFigure | null;
  sustainable: ClaimPhaseFigure | null;
  ingestStore: IngestFigure | null;
  ingestHttp: ClaimPhaseFigure | null;
  ingestRaw: IngestFigure | null;
}

export const controlPlaneSection: Section = {
  id: CONTROL_PLANE_SECTION_ID,
  title: 'Control plane (issue 4 item 5): worker endpoint + Postgres, 500 simulated task managers; result ingest',
  async run(ctx: BenchContext): Promise<SectionReport> {
    const s = compileControlPlaneSettings();
    const bench = await createBenchDatabase(path.join(ctx.outDir, 'postgres'), ctx.log);
    const m: ControlPlaneMeasurements = { saturation: null, paced: null, sustainable: null, ingestStore: null, ingestHttp: null, ingestRaw: null };
    try {
      const db = await bench.open(s.poolMax);
      try {
        const store = new PgSplitStore(db, {
          ...(s.batchConcurrency !== null ? { batchConcurrency: s.batchConcurrency } : {}),
          ...(s.batchOverlapAt !== null ? { batchOverlapAt: s.batchOverlapAt } : {}),
          ...(s.workerCommit !== null ? { workerCommit: s.workerCommit } : {}),
        });
        const log = (line: string) => ctx.log(`control-plane ${line}`);
        const has = (p: Phase) => s.phases.includes(p);
        const base = { db, databaseName: bench.name, store, settings: s, log };
        const profile = (name: string) => (s.cpuProfile ? path.join(ctx.outDir, `control-plane-${name}-${Date.now()}.cpuprofile`) : null);
        // Each phase after the first starts from a settled database (database.ts, settleDatabase).
        let ran = false;
        const settle = async () => {
          if (ran && s.settle) log(`settling between phases: ${await settleDatabase(db)}`);
          ran = true;
        };
        if (has(Phase.SATURATION)) {
          await settle();
          m.saturation = logged(log, await runClaimPhase({ ...base, mode: 'saturation', cpuProfileFile: profile('saturation') }));
        }
        if (has(Phase.PACED)) {
          await settle();
          m.paced = logged(log, await runClaimPhase({ ...base, mode: 'paced', cpuProfileFile: profile('paced') }));
        }
        if (has(Phase.SUSTAINABLE) && m.saturation !== null && m.saturation.claimsPerSecond > 0) {
          const offered = Math.max(1, Math.round(m.saturation.claimsPerSecond * CONTROL_PLANE_DEFAULTS.sustainableShare));
          await settle();
          m.sustainable = logged(log, await runClaimPhase({
            ...base, mode: 'paced', label: 'sustainable', offeredClaimsPerSecond: offered, cpuProfileFile: profile('sustainable'),
          }));
        }
        if (has(Phase.INGEST)) {
          await settle();
          m.ingestStore = loggedIngest(log, await runStoreIngest(store, db, s, log));
          if (s.ingestHttpSplits > 0) {
            const http: ControlPlaneSettings = {
              ...s, taskManagers: s.ingestCompleters, itemsPerSplit: s.ingestItemsPerSplit, loadProcesses: 1, warmupMs: 1_000, measureMs: s.ingestMaxMs,
            };
            m.ingestHttp = logged(log, await runClaimPhase({
              ...base, settings: http, mode: 'saturation', label: 'ingest (HTTP)', splits: s.ingestHttpSplits, cpuProfileFile: profile('ingest-http'),
            }));
          }
          m.ingestRaw = loggedIngest(log, await runRawInsert(store, db, s, log));
        }
      } finally {
        await db.close();
      }
    } finally {
      await bench.drop().catch((err: unknown) => ctx.log(`control-plane: dropping ${bench.name} failed: ${String(err)}`));
    }
    const { table, notes, figures } = describeControlPlane(m, s, bench.server);
    return {
      id: CONTROL_PLANE_SECTION_ID,
      title: controlPlaneSection.title,
      settings: { ...s, database: bench.server },
      figures,
      table,
      notes,
      details: { ...m },
    };
  },
};

function logged(log: (line: string) => void, f: ClaimPhaseFigure): ClaimPhaseFigure {
  log(`${f.label}: ${f.claimsPerSecond} claims/s, ${f.completesPerSecond} completes/s, ${f.resultsPerSecond} results/s; ` +
    `claim p50 ${f.claim.p50Ms} / p99 ${f.claim.p99Ms} ms, complete p50 ${f.complete.p50Ms} / p99 ${f.complete.p99Ms} ms` +
    (f.failures > 0 ? `; ${f.failures} failures: ${f.failureMessages.join(' | ')}` : ''));
  return f;
}

function loggedIngest(log: (line: string) => void, f: IngestFigure): IngestFigure {
  log(`ingest (${f.path}): ${f.rowsPerSecond} rows/s (${f.rows} rows in ${f.wallMs} ms; per split p50 ${f.perSplit.p50Ms} ms)`);
  return f;
}

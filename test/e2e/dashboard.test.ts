/**
 * The dashboard in a real browser against a real stack: Postgres, the orchestrator with local
 * task managers classifying real PNGs with the real model, the gateway (with an API token, so the
 * dashboard's token forwarding over HTTP and WebSocket is exercised), and the production build of
 * the dashboard. One job runs through the whole file; its third split is served slowly, so it must
 * show up as stuck. Any console error fails the test that saw it. Screenshots of every page, at
 * 1280 and 390 px, go to .artifacts/screenshots/.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from '../../apps/dashboard/server.js';
import { prepareDemoData } from '../../apps/cli/dist/index.js';
import { createTestDatabase, type TestDatabase } from '../setup/database.js';
import { CHROMIUM_PATH, launchBrowser, openPage, type ViewportName, type WatchedPage } from './browser.js';
import { startSlowServer, type SlowServer } from './slow-server.js';
import { startStack, type Stack } from './stack.js';

const DASHBOARD_DIR = fileURLToPath(new URL('../../apps/dashboard', import.meta.url));
const API_TOKEN = 'e2e-token-0123456789abcdef';
const IMAGES = 60;
const SPLIT_SIZE = 5;
/** Inputs 10..14 (split #2) are fetched through /slow/: each request waits this long. */
const SLOW_SPLIT_ORDINAL = 2;
const SLOW_MS = 9000;
const BAD_INPUTS = 3;
const TOTAL = IMAGES + BAD_INPUTS;

let tdb: TestDatabase;
let workDir: string;
let slow: SlowServer;
let stack: Stack;
let dashboard: RunningDashboard;
let browser: Browser;
let inputs: string[];
let jobId: string;
const opened: WatchedPage[] = [];

async function open(viewport: ViewportName, opts: { acceptDownloads?: boolean } = {}): Promise<WatchedPage> {
  const w = await openPage(browser, viewport, opts);
  opened.push(w);
  return w;
}

/** Fails the test that produced a console error, then closes its pages. */
afterEach(async () => {
  const errors = opened.flatMap((w) => w.errors);
  await Promise.all(opened.splice(0).map((w) => w.close()));
  expect(errors).toEqual([]);
});

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (CI's .ci/run does)`);
  if (!existsSync(path.join(DASHBOARD_DIR, '.next', 'BUILD_ID'))) throw new Error('the dashboard is not built: run `npm run build` first');
  tdb = await createTestDatabase();
  workDir = await mkdtemp(path.join(tmpdir(), 'offsample-e2e-'));
  const data = await prepareDemoData({ dir: workDir, count: IMAGES, seed: 11 });
  slow = await startSlowServer(data.root, SLOW_MS);
  const url = (rel: string, i: number) => {
    const slowed = Math.floor(i / SPLIT_SIZE) === SLOW_SPLIT_ORDINAL;
    return `${slow.url}${slowed ? '/slow' : ''}/${rel.split('/').map(encodeURIComponent).join('/')}`;
  };
  inputs = data.images.map((img, i) => url(img.path, i));
  inputs.push(...[data.bad.missing, data.bad.corrupt, data.bad.notAnImage].map((p, i) => url(p, IMAGES + i)));
  stack = await startStack({ databaseUrl: tdb.url, apiToken: API_TOKEN });
  dashboard = await startDashboard({ gatewayUrl: stack.gatewayUrl, apiToken: API_TOKEN, dir: DASHBOARD_DIR });
  browser = await launchBrowser();
});

afterAll(async () => {
  await Promise.all(opened.splice(0).map((w) => w.close().catch(() => {})));
  await browser?.close();
  await dashboard?.close();
  await stack?.close();
  await slow?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
  await tdb?.drop();
});

describe('dashboard in a browser', () => {
  it('opens the jobs list and submits a job through the form', async () => {
    const w = await open('desktop');
    await w.page.goto(`${dashboard.url}/`);
    await expect.poll(() => w.page.getByTestId('jobs-table').isVisible()).toBe(true);
    await w.page.getByRole('button', { name: 'New job' }).click();
    const form = w.page.getByTestId('submit-form');
    await form.getByLabel('Name', { exact: true }).fill('e2e-dashboard');
    await form.locator('textarea[name=inputs]').fill(inputs.join('\n'));
    await form.locator('input[name=splitSize]').fill(String(SPLIT_SIZE));
    await form.locator('input[name=numTaskManagers]').fill('2');
    await form.locator('select[name=backend]').selectOption('LOCAL');
    await form.locator('select[name=splitMode]').selectOption('DYNAMIC');
    await form.locator('input[name=speculation]').check();
    await form.locator('input[name=quantile]').fill('0.5');
    await form.locator('input[name=multiplier]').fill('2');
    await form.locator('summary').click();
    // The images are on 127.0.0.1: loopback must be allowed explicitly; the slow split must not time out.
    await form.locator('textarea[name=taskManagerConfig]').fill(JSON.stringify({ load: { allowLoopback: true, timeoutMs: 30_000 } }));
    await w.screenshot('jobs-form');
    await form.getByRole('button', { name: 'Submit job' }).click();
    const alert = form.getByRole('alert');
    await Promise.race([w.page.waitForURL(/\/jobs\/[^/]+$/), alert.waitFor().then(async () => expect.fail(`submit refused: ${await alert.textContent()}`))]);
    jobId = decodeURIComponent(new URL(w.page.url()).pathname.split('/').pop()!);

    await w.page.goto(`${dashboard.url}/`);
    const row = w.page.locator(`tr[data-job-id="${jobId}"]`);
    await expect.poll(() => row.count()).toBe(1);
    await expect.poll(() => row.textContent()).toContain('e2e-dashboard');
    await expect.poll(() => row.textContent()).toContain(`/ ${TOTAL} inputs`);
    await w.screenshot('jobs');
  });

  it('shows the running job progress change live, then the slowed split as stuck', async () => {
    expect(jobId).toBeTruthy();
    const w = await open('desktop');
    await w.page.goto(`${dashboard.url}/jobs/${encodeURIComponent(jobId)}`);
    const counts = w.page.getByTestId('progress-counts');
    await expect.poll(() => counts.isVisible()).toBe(true);
    // The page says it is fed by the subscription (through the dashboard's WebSocket proxy, which
    // must have added the API token: the gateway refuses the socket otherwise).
    await expect.poll(() => w.page.getByTestId('live-indicator').getAttribute('data-live'), { timeout: 15_000 }).toBe('on');
    // Distinct progress texts seen without reloading: the subscription drives the page.
    const seen = new Set<string>();
    await expect
      .poll(async () => {
        seen.add((await counts.textContent()) ?? '');
        return seen.size;
      }, { timeout: 60_000, interval: 200 })
      .toBeGreaterThanOrEqual(2);

    const stuckRow = w.page.locator(`[data-testid=stuck-splits] tr[data-split-ordinal="${SLOW_SPLIT_ORDINAL}"]`);
    await expect.poll(() => stuckRow.count(), { timeout: SLOW_MS + 20_000, interval: 250 }).toBeGreaterThan(0);
    const text = (await stuckRow.first().textContent()) ?? '';
    expect(text).toMatch(/median/);
    expect(text).toMatch(/TM \d+/);
    await w.screenshot('job-stuck');

    // The job ends: the stream's final event flips the badge; the timeline shows the copy.
    const badge = w.page.locator('h1 [data-status]');
    await expect.poll(() => badge.getAttribute('data-status'), { timeout: 90_000, interval: 500 }).toBe('SUCCEEDED');
    await expect.poll(() => counts.textContent()).toContain(`${TOTAL} of ${TOTAL} inputs finished`);
    await expect.poll(() => w.page.locator('[data-testid=split-timeline] g[data-speculative]').count()).toBeGreaterThan(0);
    const errorCodes = await w.page.getByTestId('errors-by-code').locator('tbody tr').count();
    expect(errorCodes).toBeGreaterThan(0);
    await w.screenshot('job-done');
  });

  it('browses results page by page and filters by label and by error code', async () => {
    const w = await open('desktop');
    await w.page.goto(`${dashboard.url}/jobs/${encodeURIComponent(jobId)}/results`);
    const count = w.page.getByTestId('results-count');
    await expect.poll(() => count.textContent()).toBe(`${TOTAL} matching`);
    const rows = w.page.locator('[data-testid=results-table] tbody tr');
    await expect.poll(() => rows.count()).toBe(50);
    expect(await rows.first().locator('td').first().textContent()).toBe('0');
    await w.screenshot('results');
    await w.page.getByTestId('next-page').click();
    await expect.poll(() => rows.count()).toBe(TOTAL - 50);
    expect(await rows.first().locator('td').first().textContent()).toBe('50');

    // Label filter: every row shown carries that label, and fewer rows match than in total.
    const labelSelect = w.page.getByLabel('Filter by label');
    const labels = (await labelSelect.locator('option').allTextContents()).filter((l) => l !== 'any');
    expect(labels.length).toBeGreaterThan(0);
    await labelSelect.selectOption(labels[0]!);
    await expect.poll(() => w.page.url()).toContain(`label=${encodeURIComponent(labels[0]!)}`);
    await expect.poll(async () => new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-label-value')))).size).toBe(1);
    expect(await rows.first().getAttribute('data-label-value')).toBe(labels[0]);
    const labelled = Number((await count.textContent())?.split(' ')[0]);
    expect(labelled).toBeGreaterThan(0);
    expect(labelled).toBeLessThan(TOTAL);

    // Error-code filter.
    const codeSelect = w.page.getByLabel('Filter by error code');
    const codes = (await codeSelect.locator('option').allTextContents()).filter((c) => c !== 'any');
    expect(codes.length).toBeGreaterThan(0);
    await codeSelect.selectOption(codes[0]!);
    // Wait for the filtered page itself: the label-filtered rows already share one (empty) code.
    const shownCodes = () => rows.evaluateAll((trs) => [...new Set(trs.map((tr) => tr.getAttribute('data-error-code')))]);
    await expect.poll(shownCodes).toEqual([codes[0]]);
    await w.screenshot('results-error-filter');
  });

  it('downloads the results as CSV', async () => {
    const w = await open('desktop', { acceptDownloads: true });
    await w.page.goto(`${dashboard.url}/jobs/${encodeURIComponent(jobId)}/results`);
    await expect.poll(() => w.page.getByTestId('results-count').textContent()).toBe(`${TOTAL} matching`);
    const [download] = await Promise.all([w.page.waitForEvent('download'), w.page.getByTestId('download-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const file = path.join(workDir, 'download.csv');
    await download.saveAs(file);
    const lines = (await readFile(file, 'utf8')).split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('input_index,input,label,probabilities,error_code,error_message');
    expect(lines.length).toBe(TOTAL + 1);
    const indexes = lines.slice(1).map((l) => Number(l.split(',')[0]));
    expect(indexes).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
    expect(lines[1]).toContain(inputs[0]);
  });

  it('downloads JSONL in the shape of the job\'s own results.jsonl and `offsample results`', async () => {
    const res = await fetch(`${dashboard.url}/api/export?${new URLSearchParams({ jobId, format: 'jsonl' })}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const records = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => r.index)).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
    expect(records[0]).toEqual({ index: 0, input: inputs[0], label: expect.any(String), probabilities: [expect.any(Number), expect.any(Number)] });
    const errors = records.filter((r) => 'error' in r);
    expect(errors.map((r) => r.index)).toEqual([IMAGES, IMAGES + 1, IMAGES + 2]);
    for (const r of errors) expect(Object.keys(r).sort()).toEqual(['error', 'index', 'input']);
    expect(errors[0]).toMatchObject({ input: inputs[IMAGES], error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('cancels a running job from its page', async () => {
    // Submitted through the dashboard's own /graphql (the token is added server-side). Every input
    // is slow, so the job is still running when the button is pressed.
    const slowInputs = inputs.slice(0, 10).map((u) => (u.includes('/slow/') ? u : u.replace(slow.url, `${slow.url}/slow`)));
    const res = await fetch(`${dashboard.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($input: SubmitJobInput!) { submitJob(input: $input) { id } }',
        variables: { input: { name: 'e2e-cancel', inputs: slowInputs, splitSize: 5, numTaskManagers: 1, taskManagerConfig: { load: { allowLoopback: true, timeoutMs: 30_000 } } } },
      }),
    });
    const body = (await res.json()) as { data?: { submitJob: { id: string } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    const cancelId = body.data!.submitJob.id;

    const w = await open('desktop');
    w.page.on('dialog', (d) => void d.accept());
    await w.page.goto(`${dashboard.url}/jobs/${encodeURIComponent(cancelId)}`);
    const badge = w.page.locator('h1 [data-status]');
    await expect.poll(() => badge.getAttribute('data-status'), { timeout: 30_000 }).toMatch(/QUEUED|RUNNING/);
    await w.page.getByRole('button', { name: 'Cancel job' }).click();
    await expect.poll(() => badge.getAttribute('data-status'), { timeout: 30_000 }).toBe('CANCELLED');
    await expect.poll(() => w.page.getByTestId('errors-by-code').textContent(), { timeout: 10_000 }).toContain('CANCELLED');
    await expect.poll(() => w.page.getByRole('button', { name: 'Cancel job' }).count()).toBe(0);
    await w.screenshot('job-cancelled');
  });

  it('lays out every page at 1280 and 390 px without sideways scrolling', async () => {
    for (const viewport of ['desktop', 'phone'] as const) {
      const w = await open(viewport);
      for (const [name, route] of [
        ['jobs', '/'],
        ['job', `/jobs/${encodeURIComponent(jobId)}`],
        ['results', `/jobs/${encodeURIComponent(jobId)}/results`],
      ] as const) {
        await w.page.goto(`${dashboard.url}${route}`);
        await w.page.waitForLoadState('networkidle');
        await expect.poll(() => w.page.locator('.empty', { hasText: 'Loading' }).count()).toBe(0);
        const overflow = await w.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${name} at ${viewport}`).toBeLessThanOrEqual(0);
        await w.screenshot(`${name}-final`);
      }
    }
  });
});

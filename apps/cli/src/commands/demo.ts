/**
 * `offsample demo`: the whole path on one machine with nothing set up. Generates seeded images
 * (once), serves them over HTTP on 127.0.0.1, classifies them plus a few bad inputs with loopback
 * explicitly allowed, and prints throughput, errors by code and accuracy against the labels.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { intFlag, optionalString, parseCommandArgs } from '../args.js';
import { DEMO_DEFAULTS } from '../defaults.js';
import { prepareDemoData } from '../demo-data.js';
import { formatDuration, formatPercent } from '../format.js';
import { formatJobSummary, runJobThroughOrchestrator } from '../orchestrated-run.js';
import { repoRoot } from '../repo-paths.js';
import { startStaticServer } from '../static-server.js';
import type { Command } from './command.js';

const NAME = 'demo';

const USAGE = `Usage: offsample demo [options]

Generates ${DEMO_DEFAULTS.count} synthetic ion images (seeded; reused on the next run), serves them on
a local HTTP server (127.0.0.1), classifies them together with three bad inputs
(a 404, a truncated PNG, a text file named .png) and prints throughput, errors
by code and accuracy against the known labels.

Options:
  --count N          number of images (default ${DEMO_DEFAULTS.count})
  --seed S           dataset seed (default ${DEMO_DEFAULTS.seed})
  --dir DIR          data folder (default <repo>/${DEMO_DEFAULTS.dataDir})
  --latency-ms MS    delay the server adds to every response (default 0)
  --model DIR        model directory (default: the shipped model)
  --keep-open        keep serving the images after the run, until Ctrl-C
  -h, --help         show this help`;

/** Bad inputs go a quarter, half and three quarters of the way into the list, among good ones. */
function interleave<T>(good: T[], bad: T[]): T[] {
  const out = [...good];
  bad.forEach((b, i) => out.splice(Math.floor(((i + 1) * good.length) / (bad.length + 1)) + i, 0, b));
  return out;
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

export const demoCommand: Command = {
  name: NAME,
  summary: 'generate images, serve them locally and classify them end to end',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(NAME, argv, {
      count: { type: 'string', short: 'n' },
      seed: { type: 'string' },
      dir: { type: 'string' },
      'latency-ms': { type: 'string' },
      model: { type: 'string' },
      'keep-open': { type: 'boolean' },
    });
    if (args.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const count = intFlag(NAME, args.values, 'count', DEMO_DEFAULTS.count, { min: 1, max: 1_000_000 });
    const seed = intFlag(NAME, args.values, 'seed', DEMO_DEFAULTS.seed);
    const latencyMs = intFlag(NAME, args.values, 'latency-ms', 0, { min: 0, max: 60_000 });
    const modelDir = optionalString(args.values, 'model');
    const dir = path.resolve(optionalString(args.values, 'dir') ?? path.join(repoRoot(), DEMO_DEFAULTS.dataDir));
    const log = (line: string): void => void io.stderr.write(`${line}\n`);

    const genStart = performance.now();
    const data = await prepareDemoData({ dir, count, seed });
    log(
      data.reused
        ? `demo: reusing ${count} images (seed ${seed}) in ${path.join(data.root, 'images')}`
        : `demo: generated ${count} images (seed ${seed}) in ${path.join(data.root, 'images')} ` +
            `(${formatDuration(performance.now() - genStart)})`,
    );

    const srv = await startStaticServer({ root: data.root, latencyMs });
    try {
      const expected = new Map<string, string>();
      const good = data.images.map((img) => {
        const url = srv.urlFor(img.path);
        expected.set(url, img.label);
        return url;
      });
      const bad = [data.bad.missing, data.bad.corrupt, data.bad.notAnImage].map((p) => srv.urlFor(p));
      const inputs = interleave(good, bad);
      const inputsFile = path.join(data.root, 'inputs.txt');
      await writeFile(
        inputsFile,
        `# offsample demo inputs: ${count} images + 3 bad inputs, served at ${srv.url}\n${inputs.join('\n')}\n`,
      );
      log(`demo: serving ${data.root} at ${srv.url}${latencyMs > 0 ? ` (+${latencyMs} ms per request)` : ''}`);
      log(`demo: running a job of ${inputs.length} inputs through the orchestrator on ${DEMO_DEFAULTS.taskManagers} local task managers (loopback allowed for this local server)`);

      const resultsDir = path.join(data.root, 'results');
      let correct = 0;
      let scored = 0;
      const summary = await runJobThroughOrchestrator({
        job: {
          name: 'demo',
          inputs,
          numTaskManagers: DEMO_DEFAULTS.taskManagers,
          output: { storage: 'local', location: resultsDir },
          taskManagerConfig: { load: { allowLoopback: true } },
          ...(modelDir === undefined ? {} : { model: { dir: path.resolve(modelDir) } }),
        },
        maxTaskManagers: DEMO_DEFAULTS.taskManagers,
        io,
        label: NAME,
        onResult: (r) => {
          const want = expected.get(r.input);
          if (want === undefined) return;
          // A good image that failed counts against accuracy: it was not classified correctly.
          scored++;
          if (r.label === want) correct++;
        },
      });
      io.stderr.write(
        formatJobSummary(summary, [
          ['accuracy', scored > 0 ? `${formatPercent(correct / scored)} (${correct}/${scored} labelled images)` : 'n/a'],
          ['expected errors', '3 (a 404, a truncated PNG, a text file named .png)'],
          ['results', path.join(summary.output.location ?? resultsDir, 'results.jsonl')],
          ['summary', path.join(summary.output.location ?? resultsDir, 'summary.json')],
          ['inputs file', inputsFile],
        ]),
      );
      if (args.values['keep-open'] === true) {
        log(`demo: still serving ${data.root} at ${srv.url} - press Ctrl-C to stop`);
        log(`demo: try: npm run offsample -- classify ${inputsFile} --allow-loopback`);
        await waitForSignal();
      }
    } finally {
      await srv.close();
    }
    return 0;
  },
};

/**
 * `offsample demo`: the whole path on one machine with nothing set up. Generates seeded images
 * (once), serves them over HTTP on 127.0.0.1, starts the gateway in this process (orchestrator, 4
 * local task managers, the dashboard when built), submits the images plus a few bad inputs through
 * GraphQL with loopback explicitly allowed, follows `jobProgress`, and prints throughput, errors by
 * code, accuracy against the labels (read back with `results`) and the URLs to open.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createGatewayClient } from '@offsample/gateway/client';
import { intFlag, optionalString, parseCommandArgs } from '../args.js';
import { DEMO_DEFAULTS } from '../defaults.js';
import { prepareDemoData } from '../demo-data.js';
import { formatDuration, formatPercent } from '../format.js';
import { followJob } from '../follow-job.js';
import { readGatewayEnv, toCliError } from '../gateway-connection.js';
import { fetchFinalReport, formatJobReport } from '../job-report.js';
import { startLocalGateway, type LocalGateway } from '../local-gateway.js';
import { repoRoot } from '../repo-paths.js';
import { waitForSignal } from '../signals.js';
import { startStaticServer } from '../static-server.js';
import { submitInputs } from '../submit-inputs.js';
import type { Command } from './command.js';

const NAME = 'demo';

const USAGE = `Usage: offsample demo [options]

Generates ${DEMO_DEFAULTS.count} synthetic ion images (seeded; reused on the next run), serves them on
a local HTTP server (127.0.0.1), starts the GraphQL gateway in this process (with the
dashboard when it is built), submits the images together with three bad inputs (a 404,
a truncated PNG, a text file named .png) through GraphQL, follows the job's progress and
prints throughput, errors by code, accuracy against the known labels and the URLs to open.

Options:
  --count N          number of images (default ${DEMO_DEFAULTS.count})
  --seed S           dataset seed (default ${DEMO_DEFAULTS.seed})
  --dir DIR          data folder (default <repo>/${DEMO_DEFAULTS.dataDir})
  --latency-ms MS    delay the image server adds to every response (default 0)
  --model DIR        model directory (default: the shipped model)
  --no-dashboard     do not start the dashboard
  --keep-open        keep the gateway, dashboard and image server running after the job,
                     until Ctrl-C, to look at the job in the dashboard or query it
  -h, --help         show this help`;

/** Bad inputs go a quarter, half and three quarters of the way into the list, among good ones. */
function interleave<T>(good: T[], bad: T[]): T[] {
  const out = [...good];
  bad.forEach((b, i) => out.splice(Math.floor(((i + 1) * good.length) / (bad.length + 1)) + i, 0, b));
  return out;
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
      'no-dashboard': { type: 'boolean' },
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

    // Ctrl-C from here on: the job is cancelled and everything stopped (a second Ctrl-C exits at once).
    const stop = waitForSignal();
    const srv = await startStaticServer({ root: data.root, latencyMs });
    let server: LocalGateway | null = null;
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

      const token = readGatewayEnv().token ?? null;
      server = await startLocalGateway({
        port: 0,
        maxTaskManagers: DEMO_DEFAULTS.taskManagers,
        apiToken: token,
        dashboard: args.values['no-dashboard'] === true ? null : { port: 0 },
        log,
        verbose: false,
      });
      log(`demo: gateway   ${server.graphqlUrl} (GraphQL; subscriptions on ${server.wsUrl})`);
      log(`demo: dashboard ${server.dashboardUrl ?? server.dashboardProblem ?? '-'}`);
      log(`demo: database  ${server.database}`);

      const resultsDir = path.join(data.root, 'results');
      const connection = { url: server.graphqlUrl, token };
      const client = createGatewayClient(connection);
      let jobId: string | null = null;
      try {
        const work = (async () => {
          const submitted = await submitInputs({ command: NAME, file: inputsFile });
          const job = await client.submitJob({
            name: 'demo',
            ...(submitted.kind === 'inline' ? { inputs: submitted.inputs } : { inputsFrom: submitted.inputsFrom }),
            numTaskManagers: DEMO_DEFAULTS.taskManagers,
            output: { storage: 'LOCAL', location: resultsDir },
            taskManagerConfig: { load: { allowLoopback: true } },
            ...(modelDir === undefined ? {} : { model: path.resolve(modelDir) }),
          });
          jobId = job.id;
          log(
            `demo: submitted job ${job.id} through GraphQL: ${job.totalInputs} inputs on ${job.numTaskManagers} local task managers ` +
              `(loopback allowed for this local server)${server?.dashboardUrl ? `; watch it at ${server.dashboardUrl}/jobs/${job.id}` : ''}`,
          );
          await followJob(client, job, { io, label: NAME });
          let correct = 0;
          let scored = 0;
          for await (const r of client.results(job.id)) {
            const want = expected.get(r.input);
            if (want === undefined) continue;
            // A good image that failed counts against accuracy: it was not classified correctly.
            scored++;
            if (r.label === want) correct++;
          }
          return { report: await fetchFinalReport(client, job.id), correct, scored };
        })();
        const outcome = await Promise.race([work, stop.signal.then((signal) => ({ signal }))]);
        if ('signal' in outcome) {
          work.catch(() => undefined);
          const id: string | null = jobId;
          if (id !== null) await client.cancelJob(id).catch(() => undefined);
          // Closing the client ends the progress stream, so the bar's last line comes before ours.
          await client.close().catch(() => undefined);
          log(`demo: ${outcome.signal}: stopped${id !== null ? ` (job ${id} cancelled)` : ''}`);
          return outcome.signal === 'SIGTERM' ? 143 : 130;
        }
        const { report, correct, scored } = outcome;
        const location = report.settings?.job?.output?.location ?? resultsDir;
        io.stderr.write(
          formatJobReport(report, [
            ['accuracy', scored > 0 ? `${formatPercent(correct / scored)} (${correct}/${scored} labelled images)` : 'n/a'],
            ['expected errors', '3 (a 404, a truncated PNG, a text file named .png)'],
            ['results', path.join(location, 'results.jsonl')],
            ['summary', path.join(location, 'summary.json')],
            ['inputs file', inputsFile],
          ]),
        );
        if (args.values['keep-open'] === true) {
          log(`demo: still running - press Ctrl-C to stop. Open:`);
          if (server.dashboardUrl) log(`  dashboard  ${server.dashboardUrl}/jobs/${report.id}`);
          log(`  graphql    ${server.graphqlUrl}`);
          log(`  images     ${srv.url}`);
          log(`  try: npm run offsample -- status ${report.id} --url ${server.graphqlUrl}`);
          log(`       npm run offsample -- results ${report.id} --url ${server.graphqlUrl} --format csv`);
          await stop.signal;
        } else {
          log(`demo: the gateway${server.dashboardUrl ? ' and dashboard' : ''} stop now; run with --keep-open to look around`);
        }
        return report.status === 'SUCCEEDED' ? 0 : 1;
      } catch (err) {
        throw toCliError(err, connection);
      } finally {
        await client.close().catch(() => undefined);
      }
    } finally {
      stop.dispose();
      await server?.close();
      await srv.close();
    }
  },
};

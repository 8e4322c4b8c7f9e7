/**
 * `offsample dataset`: writes synthetic, labelled ion images (PNG) and labels.csv, for trying the
 * system out and for tests and benchmarks.
 */
import path from 'node:path';
import { generateDataset, ModelError } from '@offsample/model';
import { intFlag, optionalString, parseCommandArgs, requiredString } from '../args.js';
import { DATASET_DEFAULTS } from '../defaults.js';
import { CliError, CliErrorCode } from '../errors.js';
import { formatDuration } from '../format.js';
import type { Command } from './command.js';

const NAME = 'dataset';

const USAGE = `Usage: offsample dataset --count N --out DIR [options]

Generates N synthetic ion images (greyscale PNG, on-sample and off-sample) and
DIR/labels.csv (file,label). The same seed always gives the same images.

Options:
  --count N            number of images (required)
  --out DIR            output folder, created if missing (required)
  --seed S             random seed (default ${DATASET_DEFAULTS.seed})
  --min-size PX        smallest image side in pixels (default 32)
  --max-size PX        largest image side in pixels (default 256)
  --off-fraction F     fraction of off-sample images, 0..1 (default 0.5)
  -h, --help           show this help`;

export const datasetCommand: Command = {
  name: NAME,
  summary: 'generate synthetic labelled ion images (PNG) and labels.csv',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(NAME, argv, {
      count: { type: 'string', short: 'n' },
      out: { type: 'string', short: 'o' },
      seed: { type: 'string' },
      'min-size': { type: 'string' },
      'max-size': { type: 'string' },
      'off-fraction': { type: 'string' },
    });
    if (args.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    requiredString(NAME, args.values, 'count');
    const count = intFlag(NAME, args.values, 'count', 0, { min: 1 });
    const outDir = path.resolve(requiredString(NAME, args.values, 'out'));
    const seed = intFlag(NAME, args.values, 'seed', DATASET_DEFAULTS.seed);
    const minSizePx = intFlag(NAME, args.values, 'min-size', undefined, { min: 1 });
    const maxSizePx = intFlag(NAME, args.values, 'max-size', undefined, { min: 1 });
    const fracRaw = optionalString(args.values, 'off-fraction');
    const offSampleFraction = fracRaw === undefined ? undefined : Number(fracRaw);
    if (offSampleFraction !== undefined && !(offSampleFraction >= 0 && offSampleFraction <= 1)) {
      throw new CliError(CliErrorCode.Usage, `offsample ${NAME}: --off-fraction = ${JSON.stringify(fracRaw)}: must be a number 0..1`);
    }

    const startedAt = performance.now();
    let files;
    try {
      ({ files } = await generateDataset({ count, outDir, seed, minSizePx, maxSizePx, offSampleFraction }));
    } catch (err) {
      // The generator's option errors name the field; they are the user's to fix (exit code 2).
      if (err instanceof ModelError) throw new CliError(CliErrorCode.Usage, `offsample ${NAME}: ${err.message}`, { cause: err });
      throw err;
    }
    const byLabel = new Map<string, number>();
    for (const f of files) byLabel.set(f.label, (byLabel.get(f.label) ?? 0) + 1);
    const counts = [...byLabel.entries()].map(([label, n]) => `${n} ${label}`).join(', ');
    io.stdout.write(
      `wrote ${files.length} images (${counts}) to ${outDir}\n` +
        `labels: ${path.join(outDir, 'labels.csv')}\n` +
        `seed ${seed}, ${formatDuration(performance.now() - startedAt)}\n`,
    );
    return 0;
  },
};

/**
 * buildLambdaBundle: the task runtime as a Lambda deployment zip.
 *
 *   dist/lambda.mjs         esbuild bundle of ./lambda-entry.js (task runtime, AWS SDK, zod…), ESM, node20
 *   node_modules/…          onnxruntime-node + sharp (native, external) with linux-x64 binaries only
 *   model/                  the shipped model (manifest.json + model.onnx), found by the entry point
 *
 * The zip is deterministic (sorted entries, fixed timestamps): building twice from the same sources
 * gives the same CodeSha256, so deploy can tell unchanged code.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { defaultModelDir, loadModel } from '@offsample/model';
import { LambdaError, LambdaErrorCode } from '../backends/lambda-errors.js';
import { DEPLOY_DEFAULTS } from './defaults.js';
import { collectRuntimePackages, LAMBDA_X64, runtimeFiles } from './native-packages.js';
import { writeZip, type ZipEntry } from './zip.js';

export interface BuildLambdaBundleOptions {
  /** Folder the zip is written to (created when missing). */
  outDir: string;
  /** Model folder shipped in the bundle (manifest.json + model file); default the package's shipped model. */
  modelDir?: string;
  /** Default true (smaller zip, faster cold start); names are kept for readable stack traces. */
  minify?: boolean;
  /** zlib level 0–9 (default 6). */
  compressionLevel?: number;
  /** More files for the zip, by path inside it (e.g. a wrapper handler, a config file). */
  extraFiles?: Readonly<Record<string, string | Buffer>>;
  log?: (line: string) => void;
}

export interface LambdaBundle {
  zipPath: string;
  /** Size of the zip. */
  bytes: number;
  /** Size of its contents once unzipped (Lambda allows 250 MB). */
  uncompressedBytes: number;
  files: number;
  /** Size of dist/lambda.mjs. */
  bundleJsBytes: number;
  /** Packages copied under node_modules/. */
  packages: string[];
  /** base64 SHA-256 of the zip: what Lambda reports as CodeSha256. */
  codeSha256: string;
  handler: string;
  runtime: string;
  buildMs: number;
}

const requireHere = createRequire(import.meta.url);
const NODE_BUILTINS = new Set(builtinModules);
// ESM output with CommonJS packages inside: esbuild's require shim needs a real `require`, and a
// few packages read __dirname / __filename.
const ESM_BANNER = [
  "import { createRequire as __osCreateRequire } from 'node:module';",
  "import { fileURLToPath as __osFileURLToPath } from 'node:url';",
  'const require = __osCreateRequire(import.meta.url);',
  'const __filename = __osFileURLToPath(import.meta.url);',
  "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
].join('\n');

export async function buildLambdaBundle(options: BuildLambdaBundleOptions): Promise<LambdaBundle> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const modelDir = path.resolve(options.modelDir ?? defaultModelDir());
  try {
    await loadModel(modelDir);
  } catch (err) {
    throw new LambdaError(LambdaErrorCode.BUNDLE_FAILED, `model folder ${modelDir} cannot be shipped: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  await mkdir(options.outDir, { recursive: true });
  const zipPath = path.join(path.resolve(options.outDir), DEPLOY_DEFAULTS.zipName);

  const { code, externals } = await bundleEntry(options.minify ?? true);
  log(`bundled dist/lambda.mjs (${code.length} bytes), external: ${externals.join(', ') || 'none'}`);
  const taskRuntimeDir = path.dirname(requireHere.resolve('@offsample/task-runtime/package.json'));
  const packages = await collectRuntimePackages(externals, taskRuntimeDir, LAMBDA_X64);
  const packageFiles = (await Promise.all(packages.map((p) => runtimeFiles(p, LAMBDA_X64)))).flat();
  const modelFiles = await listFiles(modelDir);

  const extra = Object.entries(options.extraFiles ?? {}).map(([name, data]) => ({ name, data: typeof data === 'string' ? Buffer.from(data, 'utf8') : data }));
  async function* entries(): AsyncGenerator<ZipEntry> {
    yield { name: 'dist/lambda.mjs', data: code };
    for (const f of modelFiles) yield { name: `model/${f}`, data: await readFile(path.join(modelDir, f)) };
    for (const f of packageFiles) yield { name: f.zipPath, data: await readFile(f.absPath) };
    for (const e of extra) yield e;
  }
  let written;
  try {
    written = await writeZip(entries(), zipPath, options.compressionLevel === undefined ? {} : { level: options.compressionLevel });
  } catch (err) {
    throw new LambdaError(LambdaErrorCode.BUNDLE_FAILED, `writing ${zipPath} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (written.uncompressedBytes > DEPLOY_DEFAULTS.maxUnzippedBytes) {
    throw new LambdaError(LambdaErrorCode.BUNDLE_FAILED, `the bundle unzips to ${mb(written.uncompressedBytes)}; Lambda allows ${mb(DEPLOY_DEFAULTS.maxUnzippedBytes)}`);
  }
  const codeSha256 = createHash('sha256').update(await readFile(zipPath)).digest('base64');
  const buildMs = Math.round(performance.now() - started);
  log(`wrote ${zipPath}: ${mb(written.bytes)} (${mb(written.uncompressedBytes)} unzipped, ${written.entries} files) in ${buildMs} ms`);
  return {
    zipPath,
    bytes: written.bytes,
    uncompressedBytes: written.uncompressedBytes,
    files: written.entries,
    bundleJsBytes: code.length,
    packages: packages.map((p) => p.name),
    codeSha256,
    handler: DEPLOY_DEFAULTS.handler,
    runtime: DEPLOY_DEFAULTS.runtime,
    buildMs,
  };
}

async function bundleEntry(minify: boolean): Promise<{ code: Buffer; externals: string[] }> {
  const entry = fileURLToPath(new URL('./lambda-entry.js', import.meta.url));
  // esbuild is only needed to build a bundle: not loaded with the rest of the package.
  const esbuild = await import('esbuild');
  let result;
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      outfile: 'dist/lambda.mjs',
      write: false,
      external: ['onnxruntime-node', 'sharp'],
      banner: { js: ESM_BANNER },
      minify,
      keepNames: minify,
      legalComments: 'none',
      metafile: true,
      logLevel: 'silent',
    });
  } catch (err) {
    throw new LambdaError(LambdaErrorCode.BUNDLE_FAILED, `esbuild failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const output = result.outputFiles.find((f) => f.path.endsWith('lambda.mjs'));
  if (output === undefined) throw new LambdaError(LambdaErrorCode.BUNDLE_FAILED, 'esbuild wrote no dist/lambda.mjs');
  const externals = new Set<string>();
  for (const out of Object.values(result.metafile.outputs)) {
    for (const imp of out.imports) {
      if (!imp.external || imp.path.startsWith('node:') || NODE_BUILTINS.has(imp.path)) continue;
      externals.add(packageName(imp.path));
    }
  }
  return { code: Buffer.from(output.contents), externals: [...externals].sort() };
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Files under `dir`, relative, '/'-separated, sorted. */
async function listFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, relPath)));
    else if (entry.isFile() || (await stat(path.join(dir, relPath))).isFile()) out.push(relPath);
  }
  return out;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

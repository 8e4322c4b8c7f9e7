/**
 * Model manifest: what a model directory holds (manifest.json + the ONNX file) and how to feed it.
 * The input tensor is [batch, channels, height, width] float32 with a dynamic batch dimension.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { MANIFEST_DEFAULTS } from './defaults.js';
import { ModelError, ModelErrorCode } from './errors.js';

export interface ModelManifest {
  format: 'offsample-model/1';
  /** e.g. 'offsample-cnn' */
  name: string;
  /** File name relative to the manifest's directory, e.g. 'model.onnx'. */
  modelFile: string;
  inputName: string;
  outputName: string;
  channels: 1 | 3;
  height: number;
  width: number;
  /** Per channel, applied to pixel/255. */
  mean: number[];
  std: number[];
  /** Output class names, in output order. */
  labels: string[];
  /** What the graph's output holds. */
  output: 'probabilities' | 'logits';
}

const dim = z.number().int().min(1).max(4096);

export const ModelManifestSchema = z
  .object({
    format: z.literal(MANIFEST_DEFAULTS.format),
    name: z.string().min(1),
    // A plain file name: the manifest must not point outside its own directory.
    modelFile: z
      .string()
      .min(1)
      .refine((f) => f === path.basename(f) && f !== '.' && f !== '..' && !f.includes('\\'), {
        message: 'must be a file name inside the model directory',
      }),
    inputName: z.string().min(1),
    outputName: z.string().min(1),
    channels: z.union([z.literal(1), z.literal(3)]),
    height: dim,
    width: dim,
    mean: z.array(z.number().finite()),
    std: z.array(z.number().finite().positive()),
    labels: z.array(z.string().min(1)).min(2),
    output: z.enum(['probabilities', 'logits']),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.mean.length !== m.channels) {
      ctx.addIssue({ code: 'custom', path: ['mean'], input: m.mean, message: `needs ${m.channels} value(s), one per channel` });
    }
    if (m.std.length !== m.channels) {
      ctx.addIssue({ code: 'custom', path: ['std'], input: m.std, message: `needs ${m.channels} value(s), one per channel` });
    }
    if (new Set(m.labels).size !== m.labels.length) {
      ctx.addIssue({ code: 'custom', path: ['labels'], input: m.labels, message: 'labels must be unique' });
    }
  });

/** Value at a zod issue path, for error messages that show what was wrong. */
function valueAt(root: unknown, issuePath: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of issuePath) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Validates a parsed manifest; the error names the bad field and its value. */
export function parseManifest(raw: unknown, source = 'manifest'): ModelManifest {
  const res = ModelManifestSchema.safeParse(raw);
  if (res.success) return res.data;
  const problems = res.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    const detail =
      issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
    return `${field} = ${show(valueAt(raw, issue.path))}: ${detail}`;
  });
  throw new ModelError(ModelErrorCode.ManifestInvalid, `${source}: invalid ${problems.join('; ')}`);
}

/**
 * Reads `dir/manifest.json`, validates it and checks that the model file exists.
 * Returns the manifest and the absolute path of the model file.
 */
export async function loadModel(dir: string): Promise<{ manifest: ModelManifest; modelPath: string }> {
  const absDir = path.resolve(dir);
  const manifestPath = path.join(absDir, MANIFEST_DEFAULTS.manifestFile);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (err) {
    throw new ModelError(ModelErrorCode.ManifestMissing, `cannot read model manifest ${manifestPath}: ${String(err)}`, {
      cause: err,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ModelError(ModelErrorCode.ManifestInvalid, `${manifestPath}: not valid JSON: ${String(err)}`, { cause: err });
  }
  const manifest = parseManifest(raw, manifestPath);
  const modelPath = path.join(absDir, manifest.modelFile);
  const st = await stat(modelPath).catch(() => undefined);
  if (!st?.isFile()) {
    throw new ModelError(
      ModelErrorCode.ModelFileMissing,
      `${manifestPath}: modelFile = ${show(manifest.modelFile)}: no such file ${modelPath}`,
    );
  }
  return { manifest, modelPath };
}

/** Absolute path of the shipped model directory, resolved from this module's location (works from dist/). */
export function defaultModelDir(): string {
  return fileURLToPath(new URL(`../models/${MANIFEST_DEFAULTS.defaultModelName}`, import.meta.url));
}

/**
 * Synthetic METASPACE-like ion images.
 *
 * Every image has a "tissue" region (an irregular blob, sometimes two lobes). On-sample ions light up
 * inside the tissue with structure (texture, hot spots, gradients, sub-regions). Off-sample ions light
 * up around the tissue (leaving a tissue-shaped hole), diffusely over the whole field, towards one side
 * of the slide, or as spots scattered outside the tissue. Detector-like noise, sparse sampling for
 * weak ions and METASPACE-style hot-spot clipping (99th percentile) make the classes overlap a little.
 */
import {
  addHotSpots,
  addPixelNoise,
  blobMask,
  linearGradient,
  randomBlob,
  unionInPlace,
  valueNoise,
  type Field,
} from './fields.js';
import { mulberry32, pickWeighted, randInt, uniform, type Rng } from './random.js';

export const IonLabel = { OnSample: 'on-sample', OffSample: 'off-sample' } as const;
export type IonLabel = (typeof IonLabel)[keyof typeof IonLabel];

export interface IonImage {
  width: number;
  height: number;
  /** Greyscale, one byte per pixel, row-major. */
  data: Uint8Array;
}

export interface GenerateIonImageOptions {
  seed: number;
  label: IonLabel;
  sizePx: number;
}

const ON_PATTERNS = { textured: 0.35, hotspots: 0.25, gradient: 0.2, region: 0.2 } as const;
const OFF_PATTERNS = { surround: 0.4, diffuse: 0.2, edge: 0.2, scattered: 0.2 } as const;

function tissueMask(rng: Rng, size: number): Field {
  const edgePx = size * uniform(rng, 0.004, 0.02);
  const main = randomBlob(rng, size, [0.16, 0.38]);
  const mask = blobMask(size, main, edgePx);
  if (rng() < 0.25) {
    // A second lobe touching or near the first, like a section with two parts.
    const lobe = randomBlob(rng, size, [0.1, 0.18]);
    const a = uniform(rng, 0, 2 * Math.PI);
    lobe.cx = Math.min(size * 0.85, Math.max(size * 0.15, main.cx + Math.cos(a) * main.radius * 1.1));
    lobe.cy = Math.min(size * 0.85, Math.max(size * 0.15, main.cy + Math.sin(a) * main.radius * 1.1));
    unionInPlace(mask, blobMask(size, lobe, edgePx));
  }
  return mask;
}

function onSample(rng: Rng, size: number, mask: Field): Field {
  const n = size * size;
  const tex = valueNoise(rng, size, randInt(rng, 2, 6), 3);
  const out = new Float32Array(n);
  const pattern = pickWeighted(rng, ON_PATTERNS);
  if (pattern === 'textured') {
    const gamma = uniform(rng, 0.7, 2);
    const base = uniform(rng, 0.2, 0.5);
    for (let i = 0; i < n; i++) out[i] = mask[i]! * (base + (1 - base) * Math.pow(tex[i]!, gamma));
  } else if (pattern === 'hotspots') {
    const base = uniform(rng, 0.25, 0.45);
    for (let i = 0; i < n; i++) out[i] = base * (0.5 + tex[i]!);
    addHotSpots(rng, out, size, randInt(rng, 3, 10), [0.02, 0.08], [0.5, 1.5], mask);
    for (let i = 0; i < n; i++) out[i] = out[i]! * mask[i]!;
  } else if (pattern === 'gradient') {
    const grad = linearGradient(rng, size);
    const p = uniform(rng, 1, 3);
    for (let i = 0; i < n; i++) out[i] = mask[i]! * (0.2 + 0.8 * Math.pow(grad[i]!, p)) * (0.6 + 0.4 * tex[i]!);
  } else {
    // Signal in one part of the tissue only (a layer or an organ region).
    const region = valueNoise(rng, size, randInt(rng, 2, 4), 1);
    const t = uniform(rng, 0.35, 0.6);
    const rim = rng() < 0.3;
    for (let i = 0; i < n; i++) {
      // A rim (e.g. an outer tissue layer) peaks where the soft mask is mid-way, i.e. just inside the edge.
      const sub = rim ? Math.min(1, 4 * mask[i]! * (1 - mask[i]!) + 0.25 * region[i]!) : 1 / (1 + Math.exp(-(region[i]! - t) * 25));
      out[i] = mask[i]! * (0.12 + 0.88 * sub) * (0.7 + 0.3 * tex[i]!);
    }
  }
  // Faint leakage outside the tissue.
  const leak = rng() < 0.2 ? uniform(rng, 0.08, 0.25) : uniform(rng, 0, 0.08);
  for (let i = 0; i < n; i++) out[i] = out[i]! + (1 - mask[i]!) * leak * tex[i]!;
  return out;
}

function offSample(rng: Rng, size: number, mask: Field): Field {
  const n = size * size;
  const tex = valueNoise(rng, size, randInt(rng, 2, 6), 3);
  const out = new Float32Array(n);
  const pattern = pickWeighted(rng, OFF_PATTERNS);
  // Off-sample ions may still show faintly on the tissue.
  const inside = rng() < 0.2 ? uniform(rng, 0.12, 0.35) : uniform(rng, 0, 0.12);
  if (pattern === 'surround') {
    // Matrix-covered area around the section: whole field, or a larger area around the tissue.
    let outer: Field | undefined;
    if (rng() < 0.55) {
      outer = blobMask(size, randomBlob(rng, size, [0.42, 0.6]), size * uniform(rng, 0.01, 0.05));
      unionInPlace(outer, blobMask(size, randomBlob(rng, size, [0.3, 0.45]), size * 0.02));
    }
    const base = uniform(rng, 0.3, 0.6);
    for (let i = 0; i < n; i++) {
      const around = Math.max(0, (outer ? outer[i]! : 1) - mask[i]!);
      out[i] = around * (base + (1 - base) * tex[i]!) + mask[i]! * inside * tex[i]!;
    }
  } else if (pattern === 'diffuse') {
    // Spread over the whole field, the tissue barely changing it.
    const tilt = uniform(rng, -0.3, 0.3);
    for (let i = 0; i < n; i++) out[i] = (0.45 + 0.55 * tex[i]!) * (1 + tilt * mask[i]!);
  } else if (pattern === 'edge') {
    const grad = linearGradient(rng, size);
    const p = uniform(rng, 1.5, 4);
    const hole = uniform(rng, 0.7, 1);
    for (let i = 0; i < n; i++) {
      out[i] = Math.pow(grad[i]!, p) * (1 - hole * mask[i]!) * (0.5 + 0.5 * tex[i]!) + mask[i]! * inside * tex[i]!;
    }
  } else {
    // Contaminant spots scattered over the slide, avoiding the tissue.
    const outside = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      outside[i] = 1 - mask[i]!;
      out[i] = 0.12 * tex[i]! * outside[i]!;
    }
    addHotSpots(rng, out, size, randInt(rng, 12, 40), [0.01, 0.035], [0.5, 1.2], outside);
    for (let i = 0; i < n; i++) out[i] = out[i]! * (1 - 0.9 * mask[i]!);
  }
  return out;
}

/** Approximate quantile from a 4096-bin histogram (a full sort of 65k values costs more than the image). */
function quantile(field: Field, q: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < field.length; i++) {
    lo = Math.min(lo, field[i]!);
    hi = Math.max(hi, field[i]!);
  }
  if (!(hi > lo)) return hi;
  const bins = 4096;
  const hist = new Uint32Array(bins);
  const scale = (bins - 1) / (hi - lo);
  for (let i = 0; i < field.length; i++) {
    const b = Math.floor((field[i]! - lo) * scale);
    hist[b] = hist[b]! + 1;
  }
  const target = q * (field.length - 1);
  let seen = 0;
  for (let b = 0; b < bins; b++) {
    seen += hist[b]!;
    if (seen > target) return lo + (b + 1) / scale;
  }
  return hi;
}

/** Detector effects, then METASPACE-style scaling: clip at the 99th percentile, map to 0..255. */
function toBytes(rng: Rng, field: Field): Uint8Array {
  const n = field.length;
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, field[i]!);
  if (peak > 0) for (let i = 0; i < n; i++) field[i] = field[i]! / peak;
  if (rng() < 0.35) {
    // Weak ion: pixels detected with a probability that rises with intensity (patchy, mostly zeros).
    const level = uniform(rng, 0.25, 1.2);
    for (let i = 0; i < n; i++) if (rng() > Math.min(1, field[i]! / level)) field[i] = 0;
  }
  const sigma = rng() < 0.2 ? uniform(rng, 0.06, 0.16) : uniform(rng, 0.005, 0.06);
  addPixelNoise(rng, field, sigma, uniform(rng, 0, 0.01), uniform(rng, 0.3, 1));
  const q99 = Math.max(1e-6, quantile(field, 0.99));
  const scale = (255 * uniform(rng, 0.85, 1)) / q99;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.max(0, Math.min(255, Math.round(field[i]! * scale)));
  return out;
}

/** One square greyscale ion image; the same options always give the same bytes. */
export function generateIonImage(opts: GenerateIonImageOptions): IonImage {
  const size = opts.sizePx;
  if (!Number.isInteger(size) || size < 8 || size > 4096) {
    throw new RangeError(`sizePx = ${String(size)}: must be an integer in 8..4096`);
  }
  if (opts.label !== IonLabel.OnSample && opts.label !== IonLabel.OffSample) {
    throw new RangeError(`label = ${JSON.stringify(opts.label)}: must be 'on-sample' or 'off-sample'`);
  }
  const rng = mulberry32(opts.seed);
  const mask = tissueMask(rng, size);
  const field = opts.label === IonLabel.OnSample ? onSample(rng, size, mask) : offSample(rng, size, mask);
  return { width: size, height: size, data: toBytes(rng, field) };
}

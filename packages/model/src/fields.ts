/**
 * Spatial building blocks of synthetic ion images: float fields of size×size, row-major.
 */
import { uniform, type Rng } from './random.js';

export type Field = Float32Array;

export interface Blob {
  cx: number;
  cy: number;
  /** Mean radius in pixels. */
  radius: number;
  /** Elongation and orientation. */
  aspect: number;
  angle: number;
  /** Harmonic amplitudes/phases of the boundary: r(θ) = radius·(1 + Σ a_k cos(kθ + φ_k)). */
  harmonics: { k: number; amp: number; phase: number }[];
}

/** A random irregular blob ("tissue section") centred near the middle of the field. */
export function randomBlob(rng: Rng, size: number, radiusFrac: [number, number]): Blob {
  const harmonics: Blob['harmonics'] = [];
  for (let k = 2; k <= 7; k++) {
    harmonics.push({ k, amp: uniform(rng, 0, 0.22) / Math.pow(k - 0.5, 0.8), phase: uniform(rng, 0, 2 * Math.PI) });
  }
  return {
    cx: size * uniform(rng, 0.36, 0.64),
    cy: size * uniform(rng, 0.36, 0.64),
    radius: size * uniform(rng, radiusFrac[0], radiusFrac[1]),
    aspect: uniform(rng, 0.7, 1.35),
    angle: uniform(rng, 0, Math.PI),
    harmonics,
  };
}

/** Soft mask of a blob (1 inside, 0 outside), edge width in pixels. Scaled by `grow` if given. */
export function blobMask(size: number, blob: Blob, edgePx: number, grow = 1): Field {
  const out = new Float32Array(size * size);
  const cos = Math.cos(blob.angle);
  const sin = Math.sin(blob.angle);
  const edge = Math.max(0.5, edgePx);
  // cos(kθ + φ) = cos kθ·cos φ − sin kθ·sin φ, with cos kθ / sin kθ built by complex multiplication:
  // no atan2 or cos per pixel and harmonic.
  const maxK = blob.harmonics.reduce((m, h) => Math.max(m, h.k), 0);
  const ac = new Float64Array(maxK + 1);
  const as = new Float64Array(maxK + 1);
  for (const h of blob.harmonics) {
    ac[h.k] = ac[h.k]! + h.amp * Math.cos(h.phase);
    as[h.k] = as[h.k]! + h.amp * Math.sin(h.phase);
  }
  const radius = blob.radius * grow;
  // Far from any possible boundary the sigmoid is 0 or 1 to within e^-30: skip the harmonics there.
  const ampSum = blob.harmonics.reduce((t, h) => t + Math.abs(h.amp), 0);
  const surelyOut = radius * (1 + ampSum) + 30 * edge;
  const surelyIn = radius * 0.35 - 30 * edge;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x + 0.5 - blob.cx;
      const dy = y + 0.5 - blob.cy;
      const u = (dx * cos + dy * sin) / blob.aspect;
      const v = (-dx * sin + dy * cos) * blob.aspect;
      const d = Math.sqrt(u * u + v * v);
      if (d > surelyOut) continue;
      if (d < surelyIn) {
        out[y * size + x] = 1;
        continue;
      }
      const c1 = d > 0 ? u / d : 1;
      const s1 = d > 0 ? v / d : 0;
      let ck = 1;
      let sk = 0;
      let r = 1;
      for (let k = 1; k <= maxK; k++) {
        const c = ck * c1 - sk * s1;
        sk = sk * c1 + ck * s1;
        ck = c;
        r += ac[k]! * ck - as[k]! * sk;
      }
      const boundary = radius * Math.max(0.35, r);
      out[y * size + x] = 1 / (1 + Math.exp((d - boundary) / edge));
    }
  }
  return out;
}

/** Pointwise max of two masks (union). */
export function unionInPlace(a: Field, b: Field): Field {
  for (let i = 0; i < a.length; i++) a[i] = Math.max(a[i]!, b[i]!);
  return a;
}

/**
 * Smooth value noise in [0, 1): random values on a (cells+1)² grid, smoothstep-interpolated.
 * Summing octaves gives cloud-like texture at several scales.
 */
export function valueNoise(rng: Rng, size: number, cells: number, octaves = 1): Field {
  const out = new Float32Array(size * size);
  let amp = 1;
  let total = 0;
  let c = Math.max(1, cells);
  for (let o = 0; o < octaves; o++) {
    const n = c + 1;
    const grid = new Float32Array(n * n);
    for (let i = 0; i < grid.length; i++) grid[i] = rng();
    for (let y = 0; y < size; y++) {
      const gy = ((y + 0.5) / size) * c;
      const iy = Math.min(c - 1, Math.floor(gy));
      let fy = gy - iy;
      fy = fy * fy * (3 - 2 * fy);
      for (let x = 0; x < size; x++) {
        const gx = ((x + 0.5) / size) * c;
        const ix = Math.min(c - 1, Math.floor(gx));
        let fx = gx - ix;
        fx = fx * fx * (3 - 2 * fx);
        const a = grid[iy * n + ix]!;
        const b = grid[iy * n + ix + 1]!;
        const d = grid[(iy + 1) * n + ix]!;
        const e = grid[(iy + 1) * n + ix + 1]!;
        const top = a + (b - a) * fx;
        const bottom = d + (e - d) * fx;
        out[y * size + x] = out[y * size + x]! + amp * (top + (bottom - top) * fy);
      }
    }
    total += amp;
    amp *= 0.5;
    c *= 2;
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / total;
  return out;
}

/** Adds `count` Gaussian hot spots whose centres fall where `where` > 0.5 (or anywhere if absent). */
export function addHotSpots(
  rng: Rng,
  field: Field,
  size: number,
  count: number,
  sigmaFrac: [number, number],
  ampRange: [number, number],
  where?: Field,
): void {
  for (let s = 0; s < count; s++) {
    let cx = 0;
    let cy = 0;
    for (let tries = 0; tries < 30; tries++) {
      cx = uniform(rng, 0, size);
      cy = uniform(rng, 0, size);
      if (!where || where[Math.floor(cy) * size + Math.floor(cx)]! > 0.5) break;
    }
    const sigma = Math.max(0.7, size * uniform(rng, sigmaFrac[0], sigmaFrac[1]));
    const amp = uniform(rng, ampRange[0], ampRange[1]);
    const reach = Math.ceil(3 * sigma);
    const inv = 1 / (2 * sigma * sigma);
    for (let y = Math.max(0, Math.floor(cy - reach)); y < Math.min(size, Math.ceil(cy + reach)); y++) {
      for (let x = Math.max(0, Math.floor(cx - reach)); x < Math.min(size, Math.ceil(cx + reach)); x++) {
        const d2 = (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2;
        field[y * size + x] = field[y * size + x]! + amp * Math.exp(-d2 * inv);
      }
    }
  }
}

/** Linear ramp in [0, 1] along a random direction. */
export function linearGradient(rng: Rng, size: number): Field {
  const out = new Float32Array(size * size);
  const a = uniform(rng, 0, 2 * Math.PI);
  const ux = Math.cos(a);
  const uy = Math.sin(a);
  const half = size / 2;
  const norm = 1 / (size * Math.SQRT2);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      out[y * size + x] = 0.5 + ((x - half) * ux + (y - half) * uy) * norm;
    }
  }
  return out;
}

/** Gaussian pixel noise with a random count of isolated bright "speckle" pixels. */
export function addPixelNoise(rng: Rng, field: Field, sigma: number, speckleFrac: number, speckleAmp: number): void {
  let spare = 0;
  for (let i = 0; i < field.length; i++) {
    // Box–Muller gives two normals per pair of uniforms: use both.
    let z: number;
    if (i % 2 === 0) {
      const r = Math.sqrt(-2 * Math.log(1 - rng()));
      const a = 2 * Math.PI * rng();
      z = r * Math.cos(a);
      spare = r * Math.sin(a);
    } else {
      z = spare;
    }
    let v = field[i]! + sigma * z;
    if (speckleFrac > 0 && rng() < speckleFrac) v += speckleAmp * rng();
    field[i] = v;
  }
}


/**
 * The packages a Lambda bundle cannot inline (onnxruntime-node and sharp load native binaries) are
 * copied next to it under `node_modules/`, with their runtime dependencies — for one target
 * platform only. `onnxruntime-node` carries every platform's binaries (288 MB): only
 * `bin/napi-v*\/linux/x64` is kept. sharp's binaries are optional dependencies
 * (`@img/sharp-linux-x64`, `@img/sharp-libvips-linux-x64`): only those whose `os` / `cpu` / `libc`
 * fields match the target are taken, and one that matches but is not installed is an error (the
 * function would fail on its first image).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LambdaError, LambdaErrorCode } from '../backends/lambda-errors.js';

export interface TargetPlatform {
  os: string;
  cpu: string;
  libc: 'glibc' | 'musl';
}

/** Lambda's x86_64 Node.js runtimes (Amazon Linux 2023, glibc). */
export const LAMBDA_X64: TargetPlatform = Object.freeze({ os: 'linux', cpu: 'x64', libc: 'glibc' });

/** Dependencies that only an install script uses (onnxruntime-node's binary download): never at run time. */
const INSTALL_ONLY = new Set(['adm-zip', 'global-agent']);

export interface RuntimePackage {
  name: string;
  /** Installed directory. */
  dir: string;
}

export interface PackageFile {
  /** Path inside the bundle, e.g. `node_modules/sharp/dist/index.mjs`. */
  zipPath: string;
  absPath: string;
}

interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

/** `roots` and everything they need at run time on `target`, resolved the way Node would from `fromDir`. */
export async function collectRuntimePackages(roots: readonly string[], fromDir: string, target: TargetPlatform = LAMBDA_X64): Promise<RuntimePackage[]> {
  const found = new Map<string, RuntimePackage>();
  const visit = async (name: string, from: string, optional: boolean, requiredBy: string): Promise<void> => {
    const dir = await findPackageDir(name, from);
    if (dir === null) {
      if (optional) return;
      throw new LambdaError(LambdaErrorCode.BUNDLE_FAILED, `${name} (needed by ${requiredBy}) is not installed under ${from}`);
    }
    const manifest = await readManifest(dir);
    if (!matchesTarget(manifest, target)) return;
    const seen = found.get(name);
    if (seen !== undefined) {
      if (seen.dir !== dir) throw new LambdaError(LambdaErrorCode.BUNDLE_FAILED, `two copies of ${name} are needed (${seen.dir} and ${dir}); the bundle has one node_modules level`);
      return;
    }
    found.set(name, { name, dir });
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (!INSTALL_ONLY.has(dep)) await visit(dep, dir, false, name);
    }
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) {
      const depDir = await findPackageDir(dep, dir);
      if (depDir === null) {
        if (declaresTarget(dep, target)) {
          throw new LambdaError(LambdaErrorCode.BUNDLE_FAILED, `${dep} (the ${target.os}-${target.cpu} binary of ${name}) is not installed: install it (npm install --os=${target.os} --cpu=${target.cpu}) before building the bundle`);
        }
        continue;
      }
      await visit(dep, dir, true, name);
    }
  };
  for (const root of roots) await visit(root, fromDir, false, 'the task runtime');
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The files of `pkg` the function needs: no sources, type declarations, maps or other platforms' binaries. */
export async function runtimeFiles(pkg: RuntimePackage, target: TargetPlatform = LAMBDA_X64): Promise<PackageFile[]> {
  const files: PackageFile[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(pkg.dir, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !otherPlatformBinaryDir(relPath, target)) await walk(relPath);
      } else if (entry.isFile() && !SKIP_FILE.test(entry.name)) {
        files.push({ zipPath: `node_modules/${pkg.name}/${relPath}`, absPath: path.join(pkg.dir, relPath) });
      }
    }
  };
  await walk('');
  return files;
}

const SKIP_DIRS = new Set(['node_modules', 'src', 'script', 'install', 'test', 'tests', 'docs', 'include', '.github']);
const SKIP_FILE = /(\.d\.[cm]?ts|\.d\.ts\.map|\.[cm]?ts|\.map|\.md|\.gyp|\.cc|\.h)$/i;

/** `bin/napi-v6/darwin/...`-style folders of another platform. */
function otherPlatformBinaryDir(relPath: string, target: TargetPlatform): boolean {
  const parts = relPath.split('/');
  if (parts[0] !== 'bin' || !/^napi-v\d+$/.test(parts[1] ?? '')) return false;
  if (parts.length === 3) return parts[2] !== target.os;
  if (parts.length === 4) return parts[3] !== target.cpu;
  return false;
}

function matchesTarget(manifest: Manifest, target: TargetPlatform): boolean {
  const allows = (list: string[] | undefined, value: string): boolean => {
    if (list === undefined || list.length === 0) return true;
    if (list.includes(`!${value}`)) return false;
    const positives = list.filter((v) => !v.startsWith('!'));
    return positives.length === 0 || positives.includes(value);
  };
  return allows(manifest.os, target.os) && allows(manifest.cpu, target.cpu) && allows(manifest.libc, target.libc);
}

/** Names like `@img/sharp-linux-x64` / `@img/sharp-libvips-linux-x64` (not `linuxmusl`) are the target's. */
function declaresTarget(name: string, target: TargetPlatform): boolean {
  const osPart = target.libc === 'musl' && target.os === 'linux' ? 'linuxmusl' : target.os;
  return new RegExp(`-${osPart}-${target.cpu}$`).test(name);
}

async function findPackageDir(name: string, fromDir: string): Promise<string | null> {
  let dir = path.resolve(fromDir);
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if ((await stat(path.join(candidate, 'package.json')).catch(() => null))?.isFile()) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

async function readManifest(dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

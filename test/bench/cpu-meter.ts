/**
 * CPU accounting around one measurement, so a figure taken while other engineers' jobs ran on
 * the shared cores can be recognised: this process's CPU time, and the whole machine's busy time
 * from /proc/stat (Linux; NaN elsewhere), both as cores kept busy on average.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

export interface CpuReading {
  /** This process, plus child processes that ended meanwhile (a job's task managers): CPU ÷ wall. */
  ownCores: number;
  /** Every process on the machine (this one included), same unit. */
  machineCores: number;
  /** machineCores − ownCores: other processes (the image server child among them, lightly). */
  otherCores: number;
}

/** Above this many cores used by other processes, a measurement is marked disturbed. The image
 *  server child alone stays near 0.05 cores at the bench's request rates. */
export const DISTURBED_OTHER_CORES = 0.25;

/** USER_HZ is 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_S = 100;

function ticksToMs(ticks: number): number {
  return (ticks * 1000) / CLOCK_TICKS_PER_S;
}

function machineBusyMs(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    return ticksToMs(f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!);
  } catch {
    return Number.NaN;
  }
}

/** CPU time of this process's children that have ended and been waited for (cutime + cstime). */
function reapedChildrenMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the parenthesised command name; cutime and cstime are fields 16 and 17.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ticksToMs(Number(f[13]) + Number(f[14]));
  } catch {
    return 0;
  }
}

export function startCpuMeter(): () => CpuReading {
  const own = process.cpuUsage();
  const children = reapedChildrenMs();
  const machine = machineBusyMs();
  const started = performance.now();
  return () => {
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(own);
    const ownCores = ((used.user + used.system) / 1000 + (reapedChildrenMs() - children)) / wallMs;
    const machineCores = Math.min(os.cpus().length, (machineBusyMs() - machine) / wallMs);
    return { ownCores, machineCores, otherCores: Math.max(0, machineCores - ownCores) };
  };
}

/**
 * CPU accounting around one measurement, so a figure taken while other engineers' jobs ran on
 * the shared cores can be recognised: this process's CPU time, and the whole machine's busy time
 * from /proc/stat (Linux; NaN elsewhere), both as cores kept busy on average.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

export interface CpuReading {
  /** This process: CPU time ÷ wall time. */
  ownCores: number;
  /** Every process on the machine (this one included), same unit. */
  machineCores: number;
  /** machineCores − ownCores: other processes (the image server child among them, lightly). */
  otherCores: number;
}

/** USER_HZ is 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_S = 100;

function machineBusyMs(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
    return (busy * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}

export function startCpuMeter(): () => CpuReading {
  const own = process.cpuUsage();
  const machine = machineBusyMs();
  const started = performance.now();
  return () => {
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(own);
    const ownCores = (used.user + used.system) / 1000 / wallMs;
    const machineCores = Math.min(os.cpus().length, (machineBusyMs() - machine) / wallMs);
    return { ownCores, machineCores, otherCores: Math.max(0, machineCores - ownCores) };
  };
}

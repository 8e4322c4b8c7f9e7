/**
 * Follows a job's `jobProgress` subscription with the progress bar: finished/total, errors, the
 * gateway's rolling img/s and ETA, and how many splits look stuck. Resolves with the final event.
 */
import type { GatewayClient, ProgressView } from '@offsample/gateway/client';
import type { CommandIo } from './commands/command.js';
import { createProgressBar } from './progress-bar.js';

export interface FollowJobOptions {
  io: CommandIo;
  label: string;
  /** No bar; the events are still followed to the end. */
  quiet?: boolean;
}

function note(p: ProgressView): string {
  const parts = p.status === 'QUEUED' ? ['queued'] : [`${p.activeTaskManagers} TMs`];
  parts.push(`stuck ${p.stuckSplits.length}`);
  return parts.join(' | ');
}

export async function followJob(client: GatewayClient, job: { id: string; totalInputs: number }, options: FollowJobOptions): Promise<ProgressView> {
  const bar = options.quiet ? null : createProgressBar({ total: job.totalInputs, stream: options.io.stderr, label: options.label });
  try {
    return await client.followProgress(job.id, (p) => {
      const finished = p.status !== 'QUEUED' && p.status !== 'RUNNING';
      // The rolling rate falls to 0 once nothing is left to do: the last line shows the bar's own.
      const rate = finished ? {} : { ratePerSec: p.imagesPerSecond, etaSec: p.etaSeconds };
      bar?.update({ done: p.done + p.failed, errors: p.failed, ...rate, note: note(p) });
    });
  } finally {
    bar?.stop();
  }
}

/** `jobProgress(jobId)`: see progress-stream.ts for when events are sent. */
import 'reflect-metadata';
import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { notFound } from '../errors.js';
import type { GatewayContext } from '../context.js';
import { progressStream } from '../progress-stream.js';
import { JobProgress } from '../schema/progress.js';

async function subscribe({ args, context }: SubscribeResolverData<unknown, { jobId: string }, GatewayContext>) {
  // Checked before the stream starts so an unknown job is an error on subscribe, not a silent end.
  const first = await context.orchestrator.getProgress(args.jobId);
  if (!first) throw notFound('job', args.jobId);
  return progressStream(context, args.jobId, context.progressIntervalMs, first);
}

@Resolver()
export class ProgressResolver {
  @Subscription(() => JobProgress, {
    subscribe,
    description: 'Progress of one job: at once, at least every second while it runs, and a final event when it ends (then the stream completes).',
  })
  jobProgress(@Root() progress: JobProgress, @Arg('jobId', () => ID) _jobId: string): JobProgress {
    return progress;
  }
}

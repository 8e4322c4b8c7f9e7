/** Job queries and mutations, and the Job fields that need more than the job row. */
import 'reflect-metadata';
import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { INPUT_DEFAULTS } from '../defaults.js';
import { decodeJobCursor, jobCursor } from '../cursors.js';
import { badUserInput, notFound } from '../errors.js';
import { readInputsFrom } from '../inputs-from.js';
import type { GatewayContext } from '../context.js';
import type { JobSubmission } from '../ports.js';
import { JobConnection } from '../schema/connections.js';
import { SplitStatus } from '../schema/enums.js';
import { JobsArgs, SubmitJobInput } from '../schema/inputs.js';
import { Job, Split, TaskManager, ThroughputPoint } from '../schema/objects.js';
import { ErrorCount, JobProgress } from '../schema/progress.js';

/** Seconds in a throughput bucket: 1 s up to a day. */
const MAX_BUCKET_SECONDS = 86_400;

@Resolver(() => Job)
export class JobResolver {
  @Query(() => Job, { nullable: true })
  async job(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<Job | null> {
    return ctx.store.getJob(id);
  }

  @Query(() => JobConnection)
  async jobs(@Args(() => JobsArgs) args: JobsArgs, @Ctx() ctx: GatewayContext): Promise<JobConnection> {
    const page = await ctx.store.listJobs({
      statuses: args.filter?.status,
      first: args.first,
      after: decodeJobCursor(args.after),
    });
    const edges = page.nodes.map((node) => ({ cursor: jobCursor(node), node }));
    return {
      edges,
      nodes: page.nodes,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: page.totalCount,
    };
  }

  @Mutation(() => Job, { description: 'Validate a job, queue it, and return it (status QUEUED; admitted under the caps).' })
  async submitJob(@Arg('input', () => SubmitJobInput) input: SubmitJobInput, @Ctx() ctx: GatewayContext): Promise<Job> {
    const submission = await toSubmission(input, ctx);
    const { jobId } = await ctx.orchestrator.enqueueJob(submission);
    const job = await ctx.store.getJob(jobId);
    if (!job) throw new Error(`job ${jobId} was enqueued but cannot be read back`);
    return job;
  }

  @Mutation(() => Job, { description: 'Stop the job\'s task managers; unfinished inputs get a CANCELLED error record.' })
  async cancelJob(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<Job> {
    const before = await ctx.store.getJob(id);
    if (!before) throw notFound('job', id);
    await ctx.orchestrator.cancelJob(id);
    return (await ctx.store.getJob(id)) ?? before;
  }

  @FieldResolver(() => JobProgress, { nullable: true })
  async progress(@Root() job: Job, @Ctx() ctx: GatewayContext): Promise<JobProgress | null> {
    return (await ctx.orchestrator.getProgress(job.id)) as JobProgress | null;
  }

  @FieldResolver(() => [ThroughputPoint], { description: 'Inputs finished per time bucket, oldest first; empty buckets are left out.' })
  async throughput(
    @Root() job: Job,
    @Arg('bucketSeconds', () => Int, { defaultValue: 10 }) bucketSeconds: number,
    @Ctx() ctx: GatewayContext,
  ): Promise<ThroughputPoint[]> {
    if (bucketSeconds < 1 || bucketSeconds > MAX_BUCKET_SECONDS) {
      throw badUserInput([{ path: 'bucketSeconds', message: `must be between 1 and ${MAX_BUCKET_SECONDS}` }]);
    }
    return ctx.store.throughput(job.id, bucketSeconds);
  }

  @FieldResolver(() => [TaskManager])
  async taskManagers(@Root() job: Job, @Ctx() ctx: GatewayContext): Promise<TaskManager[]> {
    return ctx.store.listTaskManagers(job.id);
  }

  @FieldResolver(() => [ErrorCount], { description: 'Error records of this job by code, most frequent first.' })
  async errorsByCode(@Root() job: Job, @Ctx() ctx: GatewayContext): Promise<ErrorCount[]> {
    return ctx.store.errorsByCode(job.id);
  }

  @FieldResolver(() => [Split], { description: 'Splits of this job by ordinal.' })
  async splits(
    @Root() job: Job,
    @Arg('status', () => SplitStatus, { nullable: true }) status: SplitStatus | undefined,
    @Ctx() ctx: GatewayContext,
  ): Promise<Split[]> {
    return ctx.store.listSplits(job.id, status ?? undefined);
  }
}

/** SubmitJobInput → what the orchestrator compiles; `inputsFrom` is read here. */
async function toSubmission(input: SubmitJobInput, ctx: GatewayContext): Promise<JobSubmission> {
  const hasInline = input.inputs != null;
  const hasFrom = input.inputsFrom != null;
  if (hasInline === hasFrom) {
    throw badUserInput([{ path: 'input.inputs', message: 'give exactly one of inputs or inputsFrom' }]);
  }
  const inputs = hasInline
    ? (input.inputs ?? [])
    : await readInputsFrom(input.inputsFrom ?? '', {
        maxCount: INPUT_DEFAULTS.maxInputsFromCount,
        maxBytes: INPUT_DEFAULTS.maxInputsFromBytes,
        maxInputLength: INPUT_DEFAULTS.maxInputLength,
        timeoutMs: INPUT_DEFAULTS.inputsFromTimeoutMs,
        allowedDirs: ctx.inputsFromDirs,
      });
  if (inputs.length === 0) {
    throw badUserInput([{ path: hasInline ? 'input.inputs' : 'input.inputsFrom', message: 'has no inputs' }]);
  }
  return dropUndefined({
    name: input.name,
    inputs,
    bucket: input.bucket,
    splitSize: input.splitSize,
    numTaskManagers: input.numTaskManagers,
    backend: input.backend,
    splitMode: input.splitMode,
    speculation: input.speculation && dropUndefined({ ...input.speculation }),
    keepAlive: input.keepAlive && dropUndefined({ ...input.keepAlive }),
    leaseMs: input.leaseMs,
    maxSplitRetries: input.maxSplitRetries,
    output: input.output && dropUndefined({ ...input.output }),
    taskManagerConfig: input.taskManagerConfig,
    model: input.model == null ? undefined : { dir: input.model },
  }) as JobSubmission;
}

/** GraphQL gives null for omitted nullable fields; the orchestrator's defaults apply to absent keys. */
function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;
}

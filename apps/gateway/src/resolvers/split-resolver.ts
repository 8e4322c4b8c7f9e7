/** `splits(jobId, status)` and the Split fields attempts / job. */
import 'reflect-metadata';
import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { notFound } from '../errors.js';
import type { GatewayContext } from '../context.js';
import { SplitsArgs } from '../schema/inputs.js';
import { Attempt, Job, Split } from '../schema/objects.js';

@Resolver(() => Split)
export class SplitResolver {
  @Query(() => [Split], { description: 'Splits of a job by ordinal, optionally of one status.' })
  async splits(@Args(() => SplitsArgs) args: SplitsArgs, @Ctx() ctx: GatewayContext): Promise<Split[]> {
    if (!(await ctx.store.getJob(args.jobId))) throw notFound('job', args.jobId);
    return ctx.store.listSplits(args.jobId, args.status ?? undefined);
  }

  @FieldResolver(() => [Attempt], { description: 'Attempts at this split, oldest first (retries and speculative copies).' })
  async attempts(@Root() split: Split, @Ctx() ctx: GatewayContext): Promise<Attempt[]> {
    return ctx.store.listAttempts(split.id);
  }

  @FieldResolver(() => Job)
  async job(@Root() split: Split, @Ctx() ctx: GatewayContext): Promise<Job> {
    const job = await ctx.store.getJob(split.jobId);
    if (!job) throw notFound('job', split.jobId);
    return job;
  }
}

/** `results(jobId, filter, first, after)`: one row per input, by input index. */
import 'reflect-metadata';
import { Args, Ctx, Query, Resolver } from 'type-graphql';
import { decodeResultCursor, resultCursor } from '../cursors.js';
import { notFound } from '../errors.js';
import type { GatewayContext } from '../context.js';
import { ResultConnection } from '../schema/connections.js';
import { ResultsArgs } from '../schema/inputs.js';
import { Result } from '../schema/objects.js';

@Resolver(() => Result)
export class ResultResolver {
  @Query(() => ResultConnection)
  async results(@Args(() => ResultsArgs) args: ResultsArgs, @Ctx() ctx: GatewayContext): Promise<ResultConnection> {
    const afterIndex = decodeResultCursor(args.after);
    if (!(await ctx.store.getJob(args.jobId))) throw notFound('job', args.jobId);
    const page = await ctx.store.listResults({
      jobId: args.jobId,
      label: args.filter?.label ?? undefined,
      errorCode: args.filter?.errorCode ?? undefined,
      hasError: args.filter?.hasError ?? undefined,
      first: args.first,
      afterIndex,
    });
    const edges = page.nodes.map((node) => ({ cursor: resultCursor(node), node }));
    return {
      edges,
      nodes: page.nodes,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: page.totalCount,
    };
  }
}

/** Builds the executable schema from the type-graphql classes. */
import 'reflect-metadata';
// 'graphql/index.js', not 'graphql': vitest would resolve the bare name to graphql's .mjs build while
// type-graphql and Apollo load the CommonJS one, and graphql refuses objects from another copy.
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql/index.js';
import { buildSchema } from 'type-graphql';
import { PubSub } from './pubsub.js';
import { validateArgument } from './validation.js';
import { JobResolver } from './resolvers/job-resolver.js';
import { ProgressResolver } from './resolvers/progress-resolver.js';
import { ResultResolver } from './resolvers/result-resolver.js';
import { SplitResolver } from './resolvers/split-resolver.js';

export async function buildGatewaySchema(): Promise<GraphQLSchema> {
  // type-graphql insists on a pubSub once any subscription exists, though `jobProgress` brings its
  // own `subscribe`; this one serves topic-based subscriptions should any be added.
  const topics = new PubSub<Record<string, unknown>>();
  return buildSchema({
    pubSub: {
      publish: (topic: string, payload: unknown) => topics.publish(topic, payload),
      subscribe: (topic: string) => topics.subscribe(topic),
    },
    resolvers: [JobResolver, SplitResolver, ResultResolver, ProgressResolver],
    // class-validator on every input and args object, errors naming the argument (validation.ts).
    validateFn: validateArgument,
  });
}

/** The SDL committed as apps/gateway/schema.graphql (sorted, so diffs are stable). */
export function printGatewaySchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema)).trimEnd()}\n`;
}

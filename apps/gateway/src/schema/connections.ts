/** Cursor connections (Relay style, forward only): `edges { cursor node }`, `nodes`, `pageInfo`, `totalCount`. */
import 'reflect-metadata';
import { Field, Int, ObjectType } from 'type-graphql';
import { Job, Result } from './objects.js';

@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor!: string | null;
}

@ObjectType()
export class JobEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Job) node!: Job;
}

@ObjectType({ description: 'Jobs, newest first.' })
export class JobConnection {
  @Field(() => [JobEdge]) edges!: JobEdge[];
  @Field(() => [Job]) nodes!: Job[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int, { description: 'Jobs matching the filter, across all pages.' }) totalCount!: number;
}

@ObjectType()
export class ResultEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Result) node!: Result;
}

@ObjectType({ description: 'Results of one job, by input index.' })
export class ResultConnection {
  @Field(() => [ResultEdge]) edges!: ResultEdge[];
  @Field(() => [Result]) nodes!: Result[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int, { description: 'Results matching the filter, across all pages.' }) totalCount!: number;
}

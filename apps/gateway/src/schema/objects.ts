/** Object types read from Postgres: Job, Split, Attempt, TaskManager, Result, ThroughputPoint. */
import 'reflect-metadata';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { AttemptStatus, Backend, JobStatus, SplitMode, SplitStatus, TaskManagerStatus } from './enums.js';

@ObjectType({ description: 'A list of inputs to classify, with its settings. Field resolvers add progress, throughput, task managers and splits.' })
export class Job {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => JobStatus) status!: JobStatus;
  @Field(() => Backend) backend!: Backend;
  @Field(() => SplitMode) splitMode!: SplitMode;
  @Field(() => Int, { description: 'Inputs per split after defaults, policy and caps.' }) splitSize!: number;
  @Field(() => Int, { description: 'Task managers after defaults, policy and caps.' }) numTaskManagers!: number;
  @Field(() => Int) totalInputs!: number;
  @Field(() => Int, { description: 'Inputs with a result (a label).' }) done!: number;
  @Field(() => Int, { description: 'Inputs with an error record.' }) failed!: number;
  @Field(() => DateTimeResolver) createdAt!: Date;
  @Field(() => DateTimeResolver, { nullable: true }) startedAt!: Date | null;
  @Field(() => DateTimeResolver, { nullable: true }) endedAt!: Date | null;
  @Field(() => JSONResolver, { description: 'The compiled job settings, as stored.' }) settings!: unknown;
}

@ObjectType({ description: 'Inputs finished in one time bucket (results and errors).' })
export class ThroughputPoint {
  @Field(() => DateTimeResolver, { description: 'Start of the bucket.' }) t!: Date;
  @Field(() => Int) items!: number;
}

@ObjectType({ description: 'One try at a split by one task manager, holding a lease.' })
export class Attempt {
  @Field(() => ID) id!: string;
  @Field(() => ID) splitId!: string;
  @Field(() => ID) taskManagerId!: string;
  @Field(() => AttemptStatus) status!: AttemptStatus;
  @Field(() => Boolean) speculative!: boolean;
  @Field(() => DateTimeResolver) startedAt!: Date;
  @Field(() => DateTimeResolver, { nullable: true }) endedAt!: Date | null;
  @Field(() => DateTimeResolver) leaseExpiresAt!: Date;
}

@ObjectType({ description: 'A slice of a job\'s inputs: [firstIndex, firstIndex + size).' })
export class Split {
  @Field(() => ID) id!: string;
  @Field(() => ID) jobId!: string;
  @Field(() => Int) ordinal!: number;
  @Field(() => SplitStatus) status!: SplitStatus;
  @Field(() => Int) firstIndex!: number;
  @Field(() => Int) size!: number;
  @Field(() => Int, { description: 'Attempts lost or failed and retried.' }) retries!: number;
}

@ObjectType({ description: 'One task runtime (a Lambda invocation or a local child process).' })
export class TaskManager {
  @Field(() => ID) id!: string;
  @Field(() => TaskManagerStatus) status!: TaskManagerStatus;
  @Field(() => Boolean) coldStart!: boolean;
  @Field(() => Int, { description: 'Inputs it processed.' }) items!: number;
  @Field(() => Float) busyMs!: number;
  @Field(() => Float) idleMs!: number;
  @Field(() => DateTimeResolver) startedAt!: Date;
  @Field(() => DateTimeResolver, { nullable: true }) endedAt!: Date | null;
}

@ObjectType({ description: 'The outcome of one input: a label with probabilities, or an error code.' })
export class Result {
  @Field(() => Int) inputIndex!: number;
  @Field(() => String) input!: string;
  @Field(() => String, { nullable: true }) label!: string | null;
  @Field(() => [Float], { nullable: true }) probabilities!: number[] | null;
  @Field(() => String, { nullable: true }) errorCode!: string | null;
  @Field(() => String, { nullable: true }) errorMessage!: string | null;
  @Field(() => DateTimeResolver) createdAt!: Date;
}

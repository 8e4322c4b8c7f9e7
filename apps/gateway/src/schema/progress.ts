/** `JobProgress`: what the `jobProgress` subscription emits and `Job.progress` returns (see api-types.ts). */
import 'reflect-metadata';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { Backend, JobStatus, StuckReason } from './enums.js';

@ObjectType({ description: 'Inputs that ended with one error code, and how many.' })
export class ErrorCount {
  @Field(() => String)
  code!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType()
export class SplitCounts {
  @Field(() => Int) total!: number;
  @Field(() => Int) pending!: number;
  @Field(() => Int) running!: number;
  @Field(() => Int) done!: number;
  @Field(() => Int) failed!: number;
}

@ObjectType({ description: 'A running split that looks stuck.' })
export class StuckSplit {
  @Field(() => ID) splitId!: string;
  @Field(() => Int) ordinal!: number;
  @Field(() => ID) attemptId!: string;
  @Field(() => ID) taskManagerId!: string;
  @Field(() => Boolean) speculative!: boolean;
  @Field(() => Float, { description: 'Milliseconds since the attempt started.' }) ageMs!: number;
  @Field(() => Float, { nullable: true }) medianSplitMs!: number | null;
  @Field(() => Float, { description: 'Milliseconds until the lease lapses (negative: already lapsed).' })
  leaseExpiresInMs!: number;
  @Field(() => StuckReason) reason!: StuckReason;
}

@ObjectType({ description: 'Rolling progress of one job.' })
export class JobProgress {
  @Field(() => ID) jobId!: string;
  @Field(() => String) name!: string;
  @Field(() => JobStatus) status!: JobStatus;
  @Field(() => Backend) backend!: Backend;
  @Field(() => Int) totalInputs!: number;
  @Field(() => Int, { description: 'Inputs with a result (a label).' }) done!: number;
  @Field(() => Int, { description: 'Inputs with an error record.' }) failed!: number;
  @Field(() => SplitCounts) splits!: SplitCounts;
  @Field(() => Float, { description: 'Inputs finished per second over the rolling window.' })
  imagesPerSecond!: number;
  @Field(() => Float, { nullable: true, description: 'Seconds to finish at the rolling rate, never less than the waiting and running splits still need at the median split time; null when unknown or finished.' })
  etaSeconds!: number | null;
  @Field(() => Int) activeTaskManagers!: number;
  @Field(() => Float, { nullable: true }) medianSplitMs!: number | null;
  @Field(() => [StuckSplit]) stuckSplits!: StuckSplit[];
  @Field(() => [ErrorCount]) errorsByCode!: ErrorCount[];
  @Field(() => DateTimeResolver) createdAt!: Date;
  @Field(() => DateTimeResolver, { nullable: true }) startedAt!: Date | null;
  @Field(() => DateTimeResolver, { nullable: true }) endedAt!: Date | null;
}

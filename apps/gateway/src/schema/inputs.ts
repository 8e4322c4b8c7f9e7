/**
 * Input and argument types. class-validator checks here only what bounds the request itself (list
 * and string sizes, page sizes); the orchestrator's `compileJobOptions` checks the settings' values
 * and their combinations, and its issues come back as BAD_USER_INPUT naming `input.<field>`.
 */
import 'reflect-metadata';
import { ArgsType, Field, Float, ID, InputType, Int } from 'type-graphql';
import { JSONResolver } from 'graphql-scalars';
import {
  ArrayMaxSize,
  IsOptional,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { INPUT_DEFAULTS, PAGE_DEFAULTS } from '../defaults.js';
import { Backend, JobStatus, OutputStorage, SplitMode, SplitStatus } from './enums.js';

@InputType({ description: 'Speculative copies of slow splits.' })
export class SpeculationInput {
  @Field(() => Boolean, { nullable: true })
  enabled?: boolean;

  @Field(() => Float, { nullable: true, description: 'Fraction of splits that must be done before speculating, in (0, 1].' })
  quantile?: number;

  @Field(() => Float, { nullable: true, description: 'A running split older than multiplier × the median split time gets a copy.' })
  multiplier?: number;

  @Field(() => Int, { nullable: true, description: 'Extra task managers that may be started for speculative copies (within the caps).' })
  extraTaskManagers?: number;
}

@InputType({ description: 'Heartbeats from task managers that renew their leases.' })
export class KeepAliveInput {
  @Field(() => Boolean, { nullable: true })
  enabled?: boolean;

  @Field(() => Int, { nullable: true })
  intervalMs?: number;
}

@InputType({ description: 'Export of the results on completion (they are always kept in Postgres).' })
export class OutputInput {
  @Field(() => OutputStorage, { nullable: true })
  storage?: OutputStorage;

  @Field(() => String, { nullable: true, description: 'Directory (LOCAL) or key prefix (S3).' })
  @IsOptional() @MaxLength(4096)
  location?: string;

  @Field(() => String, { nullable: true, description: 'Bucket for S3 output.' })
  @IsOptional() @MaxLength(255)
  bucket?: string;
}

@InputType({ description: `A job to classify. Give exactly one of \`inputs\` (at most ${INPUT_DEFAULTS.maxInlineInputs.toLocaleString('en-US')} inline) or \`inputsFrom\`. Unset settings take the orchestrator's defaults, then its policy, then its caps.` })
export class SubmitJobInput {
  @Field(() => String)
  @MaxLength(INPUT_DEFAULTS.maxNameLength)
  name!: string;

  @Field(() => [String], { nullable: true, description: 'HTTP(S) URLs, local paths (local backend), or object keys in `bucket`.' })
  @IsOptional()
  @ArrayMaxSize(INPUT_DEFAULTS.maxInlineInputs)
  @MaxLength(INPUT_DEFAULTS.maxInputLength, { each: true })
  inputs?: string[];

  @Field(() => String, {
    nullable: true,
    description: 'A file path on the gateway host or an http(s) URL of a text file: one input per line; blank lines and lines starting with # are skipped.',
  })
  @IsOptional() @MinLength(1) @MaxLength(4096)
  inputsFrom?: string;

  @Field(() => String, { nullable: true, description: 'When set, every input is an object key in this bucket.' })
  @IsOptional() @MaxLength(255)
  bucket?: string;

  @Field(() => Int, { nullable: true, description: 'Inputs per split; unset: the policy decides.' })
  splitSize?: number;

  @Field(() => Int, { nullable: true, description: 'Task managers to run; unset: the policy and the caps decide.' })
  numTaskManagers?: number;

  @Field(() => Backend, { nullable: true })
  backend?: Backend;

  @Field(() => SplitMode, { nullable: true })
  splitMode?: SplitMode;

  @Field(() => SpeculationInput, { nullable: true })
  @IsOptional() @ValidateNested()
  speculation?: SpeculationInput;

  @Field(() => KeepAliveInput, { nullable: true })
  @IsOptional() @ValidateNested()
  keepAlive?: KeepAliveInput;

  @Field(() => Int, { nullable: true, description: 'How long a claimed split stays with its task manager without a heartbeat.' })
  leaseMs?: number;

  @Field(() => Int, { nullable: true, description: 'Retries of a split after a lost lease before it fails (its inputs then get error records).' })
  maxSplitRetries?: number;

  @Field(() => OutputInput, { nullable: true })
  @IsOptional() @ValidateNested()
  output?: OutputInput;

  @Field(() => JSONResolver, { nullable: true, description: 'Task-manager settings (load, preprocess, predict), merged over the defaults.' })
  taskManagerConfig?: Record<string, unknown>;

  @Field(() => String, { nullable: true, description: 'Model directory for the task managers; unset: the shipped model.' })
  @IsOptional() @MaxLength(4096)
  model?: string;
}

@InputType()
export class JobFilter {
  @Field(() => [JobStatus], { nullable: true, description: 'Any of these statuses.' })
  status?: JobStatus[];
}

@InputType()
export class ResultFilter {
  @Field(() => String, { nullable: true })
  @IsOptional() @MaxLength(200)
  label?: string;

  @Field(() => String, { nullable: true })
  @IsOptional() @MaxLength(200)
  errorCode?: string;

  @Field(() => Boolean, { nullable: true, description: 'true: only errors; false: only labelled results.' })
  hasError?: boolean;
}

@ArgsType()
export class JobsArgs {
  @Field(() => JobFilter, { nullable: true })
  @IsOptional() @ValidateNested()
  filter?: JobFilter;

  @Field(() => Int, { defaultValue: PAGE_DEFAULTS.jobsPageSize, description: `Page size, 1..${PAGE_DEFAULTS.maxPageSize}.` })
  @Min(1) @Max(PAGE_DEFAULTS.maxPageSize)
  first!: number;

  @Field(() => String, { nullable: true })
  after?: string;
}

@ArgsType()
export class ResultsArgs {
  @Field(() => ID)
  jobId!: string;

  @Field(() => ResultFilter, { nullable: true })
  @IsOptional() @ValidateNested()
  filter?: ResultFilter;

  @Field(() => Int, { defaultValue: PAGE_DEFAULTS.resultsPageSize, description: `Page size, 1..${PAGE_DEFAULTS.maxPageSize}.` })
  @Min(1) @Max(PAGE_DEFAULTS.maxPageSize)
  first!: number;

  @Field(() => String, { nullable: true })
  after?: string;
}

@ArgsType()
export class SplitsArgs {
  @Field(() => ID)
  jobId!: string;

  @Field(() => SplitStatus, { nullable: true })
  status?: SplitStatus;
}

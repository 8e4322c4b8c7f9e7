/**
 * deployFunction: create or update the task-manager function from a bundle zip (the seed's
 * `initialize` / `redeploy_runtime`). The options describe the function as it should be:
 *
 *   GetFunction ─ not found ─→ CreateFunction (retried while a new IAM role is not usable yet) → wait Active
 *        └─ found ─→ [code differs] UpdateFunctionCode → wait Updated
 *                    [configuration differs] UpdateFunctionConfiguration → wait Updated
 *   → PutFunctionEventInvokeConfig (no Lambda retries of Event invocations)
 *   → [alias] PublishVersion → wait Active → CreateAlias | UpdateAlias
 *
 * Waiting uses the SDK's waiters (GetFunction until State = Active / LastUpdateStatus = Successful).
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type FunctionConfiguration,
  type LambdaClient,
  type Runtime,
} from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { describeAwsError, LambdaError, LambdaErrorCode } from '../backends/lambda-errors.js';
import { DEPLOY_DEFAULTS } from './defaults.js';

export interface DeployFunctionOptions {
  client: LambdaClient;
  functionName: string;
  /** Execution role (needs AWSLambdaBasicExecutionRole; + AWSLambdaVPCAccessExecutionRole with `vpc`; + s3:GetObject for bucket inputs). */
  roleArn: string;
  zipPath: string;
  memoryMb?: number;
  timeoutS?: number;
  /** Run in these subnets / security groups (see discoverEc2Network); absent = no VPC. */
  vpc?: { subnetIds: string[]; securityGroupIds: string[] } | null;
  /** Publish a version and point this alias at it (invoke with the alias as qualifier). */
  alias?: string | null;
  environment?: Record<string, string>;
  description?: string;
  /** Lambda runtime id, e.g. nodejs20.x / nodejs22.x. */
  runtime?: Runtime;
  handler?: string;
  /** Lambda's own retries of failed Event invocations (default 0: the orchestrator replaces task managers). */
  maxEventRetries?: number;
  waitTimeoutS?: number;
  /** Delays between CreateFunction tries while Lambda cannot assume a freshly made role yet. */
  roleRetryDelaysMs?: readonly number[];
  log?: (line: string) => void;
}

export interface DeployedFunction {
  functionName: string;
  functionArn: string;
  action: 'created' | 'updated' | 'unchanged';
  codeSha256: string;
  codeSize: number;
  /** Published version, with `alias`. */
  version: string | null;
  aliasArn: string | null;
  deployMs: number;
}

const envKey = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
const OptionsSchema = z.object({
  functionName: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be 1–64 of A-Z, a-z, 0-9, _ and -' }),
  roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, { error: 'must be an IAM role ARN like arn:aws:iam::123456789012:role/offsample' }),
  zipPath: z.string().min(1, { error: 'must be the path of the bundle zip' }),
  memoryMb: z.number().int().min(128).max(10_240).optional(),
  timeoutS: z.number().int().min(1).max(900).optional(),
  vpc: z
    .object({
      subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, { error: 'must be a subnet id' })).min(1).max(16),
      securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]+$/, { error: 'must be a security group id' })).min(1).max(5),
    })
    .nullable()
    .optional(),
  alias: z.string().regex(/^(?!\d+$)[a-zA-Z0-9_-]{1,128}$/, { error: 'must be 1–128 of A-Z, a-z, 0-9, _ and - (not only digits)' }).nullable().optional(),
  environment: z.record(z.string().regex(envKey, { error: 'must be an environment variable name' }), z.string()).optional(),
  maxEventRetries: z.number().int().min(0).max(2).optional(),
  waitTimeoutS: z.number().int().min(1).max(3_600).optional(),
});

export async function deployFunction(options: DeployFunctionOptions): Promise<DeployedFunction> {
  const started = performance.now();
  const parsed = OptionsSchema.safeParse(options, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const got = 'input' in issue ? ` (got ${JSON.stringify(issue.input)?.slice(0, 80)})` : '';
    throw new LambdaError(LambdaErrorCode.INVALID_OPTIONS, `deployFunction: ${issue.path.join('.') || 'options'} ${issue.message}${got}`);
  }
  const { client, functionName } = options;
  const log = options.log ?? (() => undefined);
  const zip = await readFile(options.zipPath).catch((err: unknown) => {
    throw new LambdaError(LambdaErrorCode.INVALID_OPTIONS, `deployFunction: cannot read zipPath ${options.zipPath}: ${describeAwsError(err)}`);
  });
  if (zip.length > DEPLOY_DEFAULTS.maxDirectZipBytes) {
    throw new LambdaError(LambdaErrorCode.INVALID_OPTIONS, `deployFunction: the zip is ${zip.length} bytes; Lambda takes at most ${DEPLOY_DEFAULTS.maxDirectZipBytes} in the request`);
  }
  const codeSha256 = createHash('sha256').update(zip).digest('base64');
  const wanted = desiredConfiguration(options);
  const waiter = { client, maxWaitTime: options.waitTimeoutS ?? DEPLOY_DEFAULTS.waitTimeoutS, minDelay: 1, maxDelay: 5 };

  const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof LambdaError) throw err;
      throw new LambdaError(LambdaErrorCode.DEPLOY_FAILED, `${what} of ${functionName} failed: ${describeAwsError(err)}`, { cause: err, retryable: isTransient(err) });
    }
  };

  const current = await step('GetFunction', async () => {
    try {
      return (await client.send(new GetFunctionCommand({ FunctionName: functionName }))).Configuration ?? null;
    } catch (err) {
      if (awsName(err) === 'ResourceNotFoundException') return null;
      throw err;
    }
  });

  let action: DeployedFunction['action'];
  let configuration: FunctionConfiguration;
  if (current === null) {
    log(`creating ${functionName}`);
    configuration = await step('CreateFunction', () => createWithRoleRetries(options, wanted, zip, log));
    await step('waiting for Active', () => waitUntilFunctionActiveV2(waiter, { FunctionName: functionName }));
    action = 'created';
  } else {
    action = 'unchanged';
    configuration = current;
    // A previous deploy may still be updating: Lambda refuses a second update meanwhile. One that
    // failed does not block this one (it replaces it), so the wait's outcome is not checked.
    if (current.State === 'Pending' || current.LastUpdateStatus === 'InProgress') {
      await waitUntilFunctionUpdatedV2(waiter, { FunctionName: functionName }).catch(() => undefined);
    }
    if (current.CodeSha256 !== codeSha256 || current.LastUpdateStatus === 'Failed') {
      log(`updating the code of ${functionName}`);
      configuration = await step('UpdateFunctionCode', () =>
        client.send(new UpdateFunctionCodeCommand({ FunctionName: functionName, ZipFile: zip, Architectures: [DEPLOY_DEFAULTS.architecture] })),
      );
      await step('waiting for the code update', () => waitUntilFunctionUpdatedV2(waiter, { FunctionName: functionName }));
      action = 'updated';
    }
    if (configurationDiffers(current, wanted)) {
      log(`updating the configuration of ${functionName}`);
      configuration = await step('UpdateFunctionConfiguration', () => client.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, ...wanted })));
      await step('waiting for the configuration update', () => waitUntilFunctionUpdatedV2(waiter, { FunctionName: functionName }));
      action = 'updated';
    }
  }

  let version: string | null = null;
  let aliasArn: string | null = null;
  const alias = options.alias ?? null;
  if (alias !== null) {
    const published = await step('PublishVersion', () => client.send(new PublishVersionCommand({ FunctionName: functionName, CodeSha256: codeSha256 })));
    version = published.Version ?? null;
    if (version === null) throw new LambdaError(LambdaErrorCode.DEPLOY_FAILED, `PublishVersion of ${functionName} returned no version`);
    const v = version;
    await step('waiting for the version', () => waitUntilFunctionActiveV2(waiter, { FunctionName: functionName, Qualifier: v }));
    aliasArn = await step('CreateAlias / UpdateAlias', async () => {
      try {
        await client.send(new GetAliasCommand({ FunctionName: functionName, Name: alias }));
      } catch (err) {
        if (awsName(err) !== 'ResourceNotFoundException') throw err;
        return (await client.send(new CreateAliasCommand({ FunctionName: functionName, Name: alias, FunctionVersion: v }))).AliasArn ?? null;
      }
      return (await client.send(new UpdateAliasCommand({ FunctionName: functionName, Name: alias, FunctionVersion: v }))).AliasArn ?? null;
    });
    log(`alias ${alias} → version ${v}`);
  }
  await step('PutFunctionEventInvokeConfig', () =>
    client.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: functionName,
        ...(alias === null ? {} : { Qualifier: alias }),
        MaximumRetryAttempts: options.maxEventRetries ?? DEPLOY_DEFAULTS.maxEventRetries,
      }),
    ),
  );

  return {
    functionName,
    functionArn: configuration.FunctionArn ?? '',
    action,
    codeSha256,
    codeSize: zip.length,
    version,
    aliasArn,
    deployMs: Math.round(performance.now() - started),
  };
}

interface WantedConfiguration {
  Role: string;
  Runtime: Runtime;
  Handler: string;
  MemorySize: number;
  Timeout: number;
  Description: string;
  Environment: { Variables: Record<string, string> };
  VpcConfig: { SubnetIds: string[]; SecurityGroupIds: string[] };
}

function desiredConfiguration(options: DeployFunctionOptions): WantedConfiguration {
  return {
    Role: options.roleArn,
    Runtime: options.runtime ?? DEPLOY_DEFAULTS.runtime,
    Handler: options.handler ?? DEPLOY_DEFAULTS.handler,
    MemorySize: options.memoryMb ?? DEPLOY_DEFAULTS.memoryMb,
    Timeout: options.timeoutS ?? DEPLOY_DEFAULTS.timeoutS,
    Description: options.description ?? 'Off-Sample task manager',
    Environment: { Variables: { ...options.environment } },
    VpcConfig: { SubnetIds: [...(options.vpc?.subnetIds ?? [])], SecurityGroupIds: [...(options.vpc?.securityGroupIds ?? [])] },
  };
}

function configurationDiffers(current: FunctionConfiguration, wanted: WantedConfiguration): boolean {
  const sameSet = (a: readonly string[] | undefined, b: readonly string[]) => [...(a ?? [])].sort().join(',') === [...b].sort().join(',');
  const env = current.Environment?.Variables ?? {};
  const envSame = Object.keys(env).length === Object.keys(wanted.Environment.Variables).length && Object.entries(wanted.Environment.Variables).every(([k, v]) => env[k] === v);
  return (
    current.Role !== wanted.Role ||
    current.Runtime !== wanted.Runtime ||
    current.Handler !== wanted.Handler ||
    current.MemorySize !== wanted.MemorySize ||
    current.Timeout !== wanted.Timeout ||
    (current.Description ?? '') !== wanted.Description ||
    !envSame ||
    !sameSet(current.VpcConfig?.SubnetIds, wanted.VpcConfig.SubnetIds) ||
    !sameSet(current.VpcConfig?.SecurityGroupIds, wanted.VpcConfig.SecurityGroupIds)
  );
}

async function createWithRoleRetries(options: DeployFunctionOptions, wanted: WantedConfiguration, zip: Buffer, log: (line: string) => void): Promise<FunctionConfiguration> {
  const delays = options.roleRetryDelaysMs ?? DEPLOY_DEFAULTS.roleRetryDelaysMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await options.client.send(
        new CreateFunctionCommand({
          FunctionName: options.functionName,
          ...wanted,
          PackageType: 'Zip',
          Architectures: [DEPLOY_DEFAULTS.architecture],
          Code: { ZipFile: zip },
        }),
      );
    } catch (err) {
      const delay = delays[attempt];
      // "The role defined for the function cannot be assumed by Lambda": IAM is still propagating.
      if (delay === undefined || awsName(err) !== 'InvalidParameterValueException' || !/role/i.test(describeAwsError(err))) throw err;
      log(`Lambda cannot use the role yet; trying again in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function awsName(err: unknown): string {
  return err instanceof Error ? err.name : '';
}

function isTransient(err: unknown): boolean {
  const fault = (err as { $fault?: unknown } | null)?.$fault;
  return fault === 'server' || ['TooManyRequestsException', 'ResourceConflictException', 'ServiceException', 'TimeoutError'].includes(awsName(err));
}

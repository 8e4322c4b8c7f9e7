/**
 * The Lambda deploy step shared by `deploy` and `serve --lambda-initialize` (the seed's
 * `initialize=True` / `redeploy_runtime`): build the runtime bundle, optionally find this EC2
 * host's VPC (the seed's `ec2_host_machine`), then create or update the function.
 *
 * Errors: a bad flag or option is the user's to fix (exit 2); AWS refusing or failing, no instance
 * metadata, a bundle that cannot be built are exit 1 with the SDK's message.
 */
import path from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import {
  buildLambdaBundle,
  deployFunction,
  discoverEc2Network,
  LambdaError,
  LambdaErrorCode,
  type DeployedFunction,
  type Ec2Network,
  type LambdaBundle,
} from '@offsample/orchestrator-core';
import { intFlag, optionalString, requiredString, type ParsedArgs } from './args.js';
import { LAMBDA_DEPLOY_DEFAULTS } from './defaults.js';
import { CliError, CliErrorCode, errorMessage, usageError } from './errors.js';
import { repoRoot } from './repo-paths.js';

export interface LambdaDeploySettings {
  functionName: string;
  roleArn: string;
  memoryMb: number;
  timeoutS: number;
  /** undefined: the SDK's chain (AWS_REGION, profile), or the EC2 host's region with `ec2HostVpc`. */
  region: string | undefined;
  alias: string | undefined;
  /** Another Lambda API endpoint (tests: a local server). */
  endpoint: string | undefined;
  modelDir: string | undefined;
  outDir: string;
  /** Deploy into the VPC, subnet and security groups of the EC2 instance this runs on. */
  ec2HostVpc: boolean;
  /** The instance metadata service's address (tests: a local imitation). */
  imdsEndpoint: string | undefined;
}

/** parseArgs options of the deploy flags (without the function's name: `deploy` and `serve` name it differently). */
export const DEPLOY_FLAG_OPTIONS = Object.freeze({
  'role-arn': { type: 'string' },
  'memory-mb': { type: 'string' },
  'timeout-s': { type: 'string' },
  model: { type: 'string' },
  'out-dir': { type: 'string' },
  'ec2-host-vpc': { type: 'boolean' },
} as const);

export const DEPLOY_FLAGS_HELP = `  --role-arn ARN           execution role (AWSLambdaBasicExecutionRole; + AWSLambdaVPCAccessExecutionRole
                           with --ec2-host-vpc; + s3:GetObject for bucket inputs)
  --memory-mb N            function memory (default ${LAMBDA_DEPLOY_DEFAULTS.memoryMb}, the seed's runtime_memory; 128..10240)
  --timeout-s N            function timeout (default ${LAMBDA_DEPLOY_DEFAULTS.timeoutS}, Lambda's maximum; 1..900)
  --model DIR              model folder shipped in the bundle (default: the shipped model)
  --out-dir DIR            where the bundle zip is written (default <repo>/${LAMBDA_DEPLOY_DEFAULTS.outDir})
  --ec2-host-vpc           deploy into this EC2 instance's VPC, subnet and security groups (IMDSv2)`;

/** Reads the deploy flags; `names` are the function-target flags' values, read by the caller. */
export function readDeploySettings(
  command: string,
  values: ParsedArgs['values'],
  target: { functionName: string; region: string | undefined; alias: string | undefined; endpoint: string | undefined },
): LambdaDeploySettings {
  const roleArn = requiredString(command, values, 'role-arn');
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/.test(roleArn)) {
    throw usageError(`offsample ${command}: --role-arn = ${JSON.stringify(roleArn)}: must be an IAM role ARN like arn:aws:iam::123456789012:role/offsample`);
  }
  const outDir = optionalString(values, 'out-dir');
  const modelDir = optionalString(values, 'model');
  return {
    ...target,
    roleArn,
    memoryMb: intFlag(command, values, 'memory-mb', LAMBDA_DEPLOY_DEFAULTS.memoryMb, { min: 128, max: 10_240 }),
    timeoutS: intFlag(command, values, 'timeout-s', LAMBDA_DEPLOY_DEFAULTS.timeoutS, { min: 1, max: 900 }),
    modelDir: modelDir === undefined ? undefined : path.resolve(modelDir),
    outDir: path.resolve(outDir ?? path.join(repoRoot(), LAMBDA_DEPLOY_DEFAULTS.outDir)),
    ec2HostVpc: values['ec2-host-vpc'] === true,
    imdsEndpoint: process.env.OFFSAMPLE_IMDS_ENDPOINT || undefined,
  };
}

/** Lambda's function-name rule, checked before any work so a typo costs no build. */
export function checkFunctionName(command: string, flag: string, name: string): string {
  if (!/^(arn:\S+|[A-Za-z0-9_-]{1,64})$/.test(name)) {
    throw usageError(`offsample ${command}: --${flag} = ${JSON.stringify(name)}: must be a Lambda function name (1–64 of A-Z, a-z, 0-9, _ and -) or ARN`);
  }
  return name;
}

export function checkRegion(command: string, flag: string, region: string | undefined): string | undefined {
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw usageError(`offsample ${command}: --${flag} = ${JSON.stringify(region)}: must be an AWS region like eu-west-1`);
  }
  return region;
}

export function checkAlias(command: string, flag: string, alias: string | undefined): string | undefined {
  if (alias !== undefined && !/^(?!\d+$)[a-zA-Z0-9_-]{1,128}$/.test(alias)) {
    throw usageError(`offsample ${command}: --${flag} = ${JSON.stringify(alias)}: must be a Lambda alias name (1–128 of A-Z, a-z, 0-9, _ and -, not only digits)`);
  }
  return alias;
}

export function checkUrl(command: string, flag: string, url: string | undefined): string | undefined {
  if (url !== undefined && !/^https?:\/\/[^\s/?#]+(\/\S*)?$/.test(url)) {
    throw usageError(`offsample ${command}: --${flag} = ${JSON.stringify(url)}: must be an http(s) URL`);
  }
  return url;
}

export interface LambdaDeployOutcome {
  bundle: LambdaBundle;
  network: Ec2Network | null;
  /** null with build-only. */
  deployed: DeployedFunction | null;
}

/** Builds, discovers (with ec2HostVpc) and deploys; `say` gets one line per step done. */
export async function runLambdaDeploy(settings: LambdaDeploySettings, say: (line: string) => void, options: { buildOnly?: boolean } = {}): Promise<LambdaDeployOutcome> {
  const bundle = await step('building the Lambda bundle', () =>
    buildLambdaBundle({ outDir: settings.outDir, ...(settings.modelDir === undefined ? {} : { modelDir: settings.modelDir }) }),
  );
  say(
    `bundle:   ${bundle.zipPath} (${mb(bundle.bytes)} zipped, ${mb(bundle.uncompressedBytes)} unzipped, ${bundle.files} files; ` +
      `dist/lambda.mjs ${mb(bundle.bundleJsBytes)}; built in ${seconds(bundle.buildMs)})`,
  );
  if (options.buildOnly === true) return { bundle, network: null, deployed: null };

  let network: Ec2Network | null = null;
  if (settings.ec2HostVpc) {
    network = await step('discovering the EC2 host network (IMDSv2)', () =>
      discoverEc2Network(settings.imdsEndpoint === undefined ? {} : { endpoint: settings.imdsEndpoint }),
    );
    say(`network:  ${network.vpcId}, subnet ${network.subnetId}, security groups ${network.securityGroupIds.join(',')} (${network.region}, private IP ${network.privateIp})`);
  }
  const region = settings.region ?? network?.region;
  const client = new LambdaClient({
    ...(region === undefined ? {} : { region }),
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
  });
  try {
    const deployed = await step(`deploying function ${settings.functionName}`, () =>
      deployFunction({
        client,
        functionName: settings.functionName,
        roleArn: settings.roleArn,
        zipPath: bundle.zipPath,
        memoryMb: settings.memoryMb,
        timeoutS: settings.timeoutS,
        vpc: network === null ? null : { subnetIds: [network.subnetId], securityGroupIds: network.securityGroupIds },
        alias: settings.alias ?? null,
      }),
    );
    const version = deployed.version === null ? '$LATEST' : `version ${deployed.version}`;
    say(`function: ${deployed.action} ${deployed.functionArn} (${version}; code ${deployed.codeSha256}; ${seconds(deployed.deployMs)})`);
    if (deployed.aliasArn !== null) say(`alias:    ${deployed.aliasArn}`);
    return { bundle, network, deployed };
  } finally {
    client.destroy();
  }
}

/** Runs one step; its failure becomes a CliError naming the step (options → exit 2, the rest → 1). */
async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const code = err instanceof LambdaError && err.code === LambdaErrorCode.INVALID_OPTIONS ? CliErrorCode.Config : CliErrorCode.Failed;
    throw new CliError(code, `${what} failed: ${awsMessage(err)}`, { cause: err });
  }
}

function awsMessage(err: unknown): string {
  if (err instanceof Error && err.name !== 'Error' && err.name !== 'LambdaError' && !err.message.startsWith(err.name)) return `${err.name}: ${err.message}`;
  return errorMessage(err);
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * `offsample deploy`: the task-manager function on AWS Lambda (the seed's `redeploy_runtime`):
 * builds the runtime bundle, optionally finds this EC2 host's VPC, and creates or updates the
 * function (unchanged code and configuration: nothing is changed).
 */
import { optionalString, parseCommandArgs, requiredString } from '../args.js';
import { checkAlias, checkFunctionName, checkRegion, checkUrl, DEPLOY_FLAG_OPTIONS, DEPLOY_FLAGS_HELP, readDeploySettings, runLambdaDeploy } from '../lambda-deploy.js';
import type { Command } from './command.js';

const NAME = 'deploy';

const USAGE = `Usage: offsample deploy --function-name NAME --role-arn ARN [options]

Builds the task runtime as a Lambda bundle (esbuild bundle, onnxruntime-node + sharp with their
linux-x64 binaries only, the model) and creates the function, or updates its code and configuration
when they differ ('unchanged' otherwise). Prints the bundle's size, files and build time, then the
function's ARN and version. AWS credentials come from the SDK's chain (AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance role); the region from --region, else AWS_REGION.

Options:
  --function-name NAME     the function to create or update (required)
${DEPLOY_FLAGS_HELP}
  --region R               AWS region (default AWS_REGION; with --ec2-host-vpc the instance's region)
  --alias A                publish a version and point this alias at it (serve with --lambda-alias A)
  --endpoint URL           another Lambda API endpoint (a local imitation for tests)
  --build-only             build the zip and stop (no AWS call)
  -h, --help               show this help

Then: offsample serve --lambda-function NAME [--public-url URL ...] runs jobs submitted with
--backend lambda on this function. Exit codes: 2 for a missing or bad flag, 1 when the build,
the instance metadata or AWS failed (the message says which).`;

export const deployCommand: Command = {
  name: NAME,
  summary: 'build the Lambda bundle and create or update the task-manager function on AWS Lambda',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(NAME, argv, {
      'function-name': { type: 'string' },
      region: { type: 'string' },
      alias: { type: 'string' },
      endpoint: { type: 'string' },
      'build-only': { type: 'boolean' },
      ...DEPLOY_FLAG_OPTIONS,
    });
    if (args.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const v = args.values;
    const buildOnly = v['build-only'] === true;
    // --build-only needs neither a function nor a role; placeholders keep one settings type.
    const settings = readDeploySettings(NAME, buildOnly ? { 'role-arn': 'arn:aws:iam::000000000000:role/unused', ...v } : v, {
      functionName: buildOnly && v['function-name'] === undefined ? 'unused' : checkFunctionName(NAME, 'function-name', requiredString(NAME, v, 'function-name')),
      region: checkRegion(NAME, 'region', optionalString(v, 'region')),
      alias: checkAlias(NAME, 'alias', optionalString(v, 'alias')),
      endpoint: checkUrl(NAME, 'endpoint', optionalString(v, 'endpoint')),
    });
    await runLambdaDeploy(settings, (line) => void io.stdout.write(`${line}\n`), { buildOnly });
    return 0;
  },
};

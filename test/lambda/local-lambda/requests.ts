/**
 * Request checks of the local Lambda server, with Lambda's error types and messages: the SigV4
 * Authorization header's shape (signatures are not verified; the header must be there and scoped
 * to this region and service, as AWS checks), and the fields of CreateFunction /
 * UpdateFunctionConfiguration.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError, type FunctionSettings } from './functions.js';

const SIGV4 = /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export function checkAuthorization(req: IncomingMessage, region: string): void {
  const header = req.headers.authorization;
  if (header === undefined) throw new ApiError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  const m = SIGV4.exec(header);
  if (!m) throw new ApiError(403, 'IncompleteSignatureException', `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters (AWS4-HMAC-SHA256). Authorization=${header.slice(0, 40)}…`);
  if (m[3] !== region) throw new ApiError(403, 'InvalidSignatureException', `Credential should be scoped to a valid region, not '${m[3]}'. This endpoint serves '${region}'.`);
  if (m[4] !== 'lambda') throw new ApiError(403, 'InvalidSignatureException', `Credential should be scoped to correct service: 'lambda', not '${m[4]}'.`);
  if (!m[5]!.split(';').includes('host')) throw new ApiError(403, 'InvalidSignatureException', "SignedHeaders must include 'host'.");
  if (req.headers['x-amz-date'] === undefined) throw new ApiError(403, 'IncompleteSignatureException', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
}

export const SUPPORTED_RUNTIMES = new Set(['nodejs18.x', 'nodejs20.x', 'nodejs22.x']);
const RESERVED_ENV = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);

function validation(field: string, value: unknown, rule: string): ApiError {
  return new ApiError(400, 'ValidationException', `1 validation error detected: Value '${JSON.stringify(value)?.slice(0, 100)}' at '${field}' failed to satisfy constraint: ${rule}`);
}

function intIn(body: Record<string, unknown>, key: string, field: string, min: number, max: number): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw validation(field, v, `Member must have value ${v !== undefined && typeof v === 'number' && v < min ? 'greater than or equal to ' + min : 'less than or equal to ' + max}`);
  }
  return v;
}

/** The settings a CreateFunction / UpdateFunctionConfiguration body gives (only those present). */
export function settingsFrom(body: Record<string, unknown>): Partial<FunctionSettings> {
  const out: Partial<FunctionSettings> = {};
  if (body.Runtime !== undefined) {
    if (typeof body.Runtime !== 'string' || !SUPPORTED_RUNTIMES.has(body.Runtime)) {
      throw new ApiError(400, 'InvalidParameterValueException', `The runtime parameter of ${String(body.Runtime)} is not supported (this local server runs ${[...SUPPORTED_RUNTIMES].join(', ')}).`);
    }
    out.runtime = body.Runtime;
  }
  if (body.Role !== undefined) {
    if (typeof body.Role !== 'string' || !/^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/.test(body.Role)) {
      throw validation('role', body.Role, 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+');
    }
    out.role = body.Role;
  }
  if (body.Handler !== undefined) {
    if (typeof body.Handler !== 'string' || !/^[^\s]{1,128}$/.test(body.Handler)) throw validation('handler', body.Handler, 'Member must satisfy regular expression pattern: [^\\s]+');
    out.handler = body.Handler;
  }
  if (body.Description !== undefined) {
    if (typeof body.Description !== 'string' || body.Description.length > 256) throw validation('description', body.Description, 'Member must have length less than or equal to 256');
    out.description = body.Description;
  }
  const timeout = intIn(body, 'Timeout', 'timeout', 1, 900);
  if (timeout !== undefined) out.timeoutS = timeout;
  const memory = intIn(body, 'MemorySize', 'memorySize', 128, 10_240);
  if (memory !== undefined) out.memoryMb = memory;
  if (body.Environment !== undefined && body.Environment !== null) {
    const vars = (body.Environment as { Variables?: unknown }).Variables ?? {};
    if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) throw validation('environment.variables', vars, 'Member must be a map');
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(vars)) {
      if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(k)) throw validation('environment.variables', k, 'Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]');
      if (typeof v !== 'string') throw validation(`environment.variables.${k}`, v, 'Member must be a string');
      if (RESERVED_ENV.has(k)) {
        throw new ApiError(400, 'InvalidParameterValueException', `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${k}`);
      }
      env[k] = v;
    }
    if (Buffer.byteLength(JSON.stringify(env)) > 4096) throw new ApiError(400, 'InvalidParameterValueException', 'Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.');
    out.env = env;
  }
  if (body.VpcConfig !== undefined && body.VpcConfig !== null) {
    const vpc = body.VpcConfig as { SubnetIds?: unknown; SecurityGroupIds?: unknown };
    const subnets = vpc.SubnetIds ?? [];
    const groups = vpc.SecurityGroupIds ?? [];
    if (!Array.isArray(subnets) || subnets.length > 16 || !subnets.every((s) => typeof s === 'string' && /^subnet-[0-9a-z]+$/.test(s))) throw validation('vpcConfig.subnetIds', subnets, 'Member must have length less than or equal to 16 subnet ids');
    if (!Array.isArray(groups) || groups.length > 5 || !groups.every((s) => typeof s === 'string' && /^sg-[0-9a-z]+$/.test(s))) throw validation('vpcConfig.securityGroupIds', groups, 'Member must have length less than or equal to 5 security group ids');
    if ((subnets.length === 0) !== (groups.length === 0)) {
      throw new ApiError(400, 'InvalidParameterValueException', 'SubnetIds and SecurityIds must coexist or be both empty list.');
    }
    out.subnetIds = subnets as string[];
    out.securityGroupIds = groups as string[];
  }
  if (body.Architectures !== undefined && body.Architectures !== null) {
    if (!Array.isArray(body.Architectures) || body.Architectures.length !== 1 || body.Architectures[0] !== 'x86_64') {
      throw new ApiError(400, 'InvalidParameterValueException', `Architectures ${JSON.stringify(body.Architectures)}: this local server runs x86_64 only.`);
    }
  }
  return out;
}

/** CreateFunction's required fields, plus Lambda's defaults for the rest. */
export function newFunctionSettings(body: Record<string, unknown>): FunctionSettings {
  for (const key of ['FunctionName', 'Role', 'Code'] as const) {
    if (body[key] === undefined || body[key] === null) throw validation(key.charAt(0).toLowerCase() + key.slice(1), null, 'Member must not be null');
  }
  if (body.PackageType !== undefined && body.PackageType !== 'Zip') throw new ApiError(400, 'InvalidParameterValueException', 'This local server takes PackageType Zip only.');
  const given = settingsFrom(body);
  if (given.runtime === undefined) throw new ApiError(400, 'InvalidParameterValueException', 'The Runtime parameter is required for zip functions.');
  if (given.handler === undefined) throw new ApiError(400, 'InvalidParameterValueException', 'The Handler parameter is required for zip functions.');
  return {
    runtime: given.runtime,
    role: given.role!,
    handler: given.handler,
    description: given.description ?? '',
    timeoutS: given.timeoutS ?? 3,
    memoryMb: given.memoryMb ?? 128,
    env: given.env ?? {},
    subnetIds: given.subnetIds ?? [],
    securityGroupIds: given.securityGroupIds ?? [],
  };
}

/** Code.ZipFile / ZipFile (base64 in JSON) → bytes; S3 and images are not served here. */
export function zipFrom(code: unknown, maxBytes: number): Buffer {
  const c = (code ?? {}) as { ZipFile?: unknown; S3Bucket?: unknown; ImageUri?: unknown };
  if (c.S3Bucket !== undefined || c.ImageUri !== undefined) throw new ApiError(400, 'InvalidParameterValueException', 'This local server takes the code as ZipFile only (no S3Bucket / ImageUri).');
  if (typeof c.ZipFile !== 'string' || c.ZipFile.length === 0) throw new ApiError(400, 'InvalidParameterValueException', 'Please provide a source for function code (ZipFile).');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(c.ZipFile)) throw new ApiError(400, 'InvalidParameterValueException', 'ZipFile is not base64.');
  const zip = Buffer.from(c.ZipFile, 'base64');
  if (zip.length > maxBytes) throw new ApiError(413, 'RequestEntityTooLargeException', `Zipped code must be smaller than ${maxBytes} bytes when uploaded directly.`);
  return zip;
}

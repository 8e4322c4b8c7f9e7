/**
 * discoverEc2Network: the VPC, subnet and security groups of the EC2 instance this process runs on
 * (the seed's `ec2_host_machine`), so the function can be deployed next to the orchestrator and
 * reach its worker endpoint on a private address.
 *
 * IMDSv2: PUT /latest/api/token, then GETs with that token — mac → the primary interface's
 * subnet-id, vpc-id and security-group-ids, plus the region and the private IPv4 address (the
 * worker endpoint's `publicUrl` for functions in the VPC). Every request has a short timeout:
 * off EC2, 169.254.169.254 usually swallows packets, and waiting for TCP to give up takes minutes.
 */
import { LambdaError, LambdaErrorCode } from '../backends/lambda-errors.js';
import { DEPLOY_DEFAULTS } from './defaults.js';

export interface DiscoverEc2NetworkOptions {
  /** Per request (default 1 000 ms). */
  timeoutMs?: number;
  /** Default http://169.254.169.254 (tests point it at a local server). */
  endpoint?: string;
}

export interface Ec2Network {
  region: string;
  vpcId: string;
  subnetId: string;
  securityGroupIds: string[];
  /** The instance's primary private IPv4 address. */
  privateIp: string;
  /** The instance's primary interface. */
  mac: string;
}

export async function discoverEc2Network(options: DiscoverEc2NetworkOptions = {}): Promise<Ec2Network> {
  const timeoutMs = options.timeoutMs ?? DEPLOY_DEFAULTS.imdsTimeoutMs;
  const base = (options.endpoint ?? DEPLOY_DEFAULTS.imdsEndpoint).replace(/\/+$/, '');
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000) {
    throw new LambdaError(LambdaErrorCode.INVALID_OPTIONS, `discoverEc2Network: timeoutMs must be an integer from 1 to 60000 (got ${String(timeoutMs)})`);
  }
  if (!/^https?:\/\/\S+$/.test(base)) throw new LambdaError(LambdaErrorCode.INVALID_OPTIONS, `discoverEc2Network: endpoint must be an http(s) URL (got ${JSON.stringify(options.endpoint)})`);

  const token = await request(base, 'PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': String(DEPLOY_DEFAULTS.imdsTokenTtlS) }, timeoutMs);
  const get = (route: string) => request(base, 'GET', `/latest/meta-data/${route}`, { 'x-aws-ec2-metadata-token': token }, timeoutMs);
  const mac = (await get('mac')).trim();
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) throw invalid(`mac is ${JSON.stringify(mac)}, not a MAC address`);
  const iface = `network/interfaces/macs/${mac}`;
  const [subnetId, vpcId, groups, region, privateIp] = await Promise.all([
    get(`${iface}/subnet-id`),
    get(`${iface}/vpc-id`),
    get(`${iface}/security-group-ids`),
    get('placement/region'),
    get('local-ipv4'),
  ]);
  const network: Ec2Network = {
    region: region.trim(),
    vpcId: vpcId.trim(),
    subnetId: subnetId.trim(),
    securityGroupIds: groups.split(/\s+/).filter((g) => g.length > 0),
    privateIp: privateIp.trim(),
    mac,
  };
  if (!/^subnet-[0-9a-f]+$/.test(network.subnetId)) throw invalid(`subnet-id is ${JSON.stringify(network.subnetId)}`);
  if (!/^vpc-[0-9a-f]+$/.test(network.vpcId)) throw invalid(`vpc-id is ${JSON.stringify(network.vpcId)}`);
  if (network.securityGroupIds.length === 0 || !network.securityGroupIds.every((g) => /^sg-[0-9a-f]+$/.test(g))) {
    throw invalid(`security-group-ids is ${JSON.stringify(groups)}`);
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(network.region)) throw invalid(`placement/region is ${JSON.stringify(network.region)}`);
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(network.privateIp)) throw invalid(`local-ipv4 is ${JSON.stringify(network.privateIp)}`);
  return network;
}

function invalid(what: string): LambdaError {
  return new LambdaError(LambdaErrorCode.EC2_METADATA_INVALID, `instance metadata: ${what}`);
}

async function request(base: string, method: 'GET' | 'PUT', route: string, headers: Record<string, string>, timeoutMs: number): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${base}${route}`, { method, headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (err) {
    const why = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describeFetchError(err);
    throw new LambdaError(
      LambdaErrorCode.NOT_ON_EC2,
      `the EC2 instance metadata service at ${base} did not answer ${method} ${route} (${why}): ec2HostVpc needs the orchestrator on an EC2 instance with IMDSv2 enabled`,
      { cause: err, retryable: true },
    );
  }
  const text = await response.text();
  if (!response.ok) {
    // 401: a token problem; 403: IMDS disabled for this instance; 404: no such key.
    const code = response.status === 404 ? LambdaErrorCode.EC2_METADATA_INVALID : LambdaErrorCode.NOT_ON_EC2;
    throw new LambdaError(code, `instance metadata ${method} ${route} answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
  }
  return text;
}

function describeFetchError(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  return err instanceof Error ? err.message : String(err);
}

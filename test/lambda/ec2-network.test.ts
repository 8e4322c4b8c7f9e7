/**
 * discoverEc2Network (the seed's ec2_host_machine) against a local HTTP server that imitates IMDSv2:
 * token first (PUT, TTL header), then token-authenticated GETs; a server that never answers and a
 * closed port stand for "not on EC2". The discovered network then goes into a deployment's VpcConfig.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { deployFunction, discoverEc2Network, LambdaErrorCode } from '@offsample/orchestrator-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECHO_HANDLER, lambdaClient, TEST_ROLE_ARN, tempDir, zipOfFiles } from './helpers.js';
import { startLocalLambdaServer } from './local-lambda-server.js';

const MAC = '0a:1b:2c:3d:4e:5f';
const METADATA: Record<string, string> = {
  mac: MAC,
  [`network/interfaces/macs/${MAC}/subnet-id`]: 'subnet-0abc123',
  [`network/interfaces/macs/${MAC}/vpc-id`]: 'vpc-0def456',
  [`network/interfaces/macs/${MAC}/security-group-ids`]: 'sg-0111\nsg-0222\n',
  'placement/region': 'eu-west-1',
  'local-ipv4': '10.0.3.17',
};

interface FakeImds {
  url: string;
  requests: { method: string; path: string; token: string | null; ttl: string | null }[];
  close(): Promise<void>;
}

/** IMDSv2 as EC2 serves it: 401 without a valid token, tokens only from PUT with a TTL header. */
async function startFakeImds(metadata: Record<string, string>): Promise<FakeImds> {
  const tokens = new Set<string>();
  const requests: FakeImds['requests'] = [];
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const token = (req.headers['x-aws-ec2-metadata-token'] as string | undefined) ?? null;
    const ttl = (req.headers['x-aws-ec2-metadata-token-ttl-seconds'] as string | undefined) ?? null;
    requests.push({ method: req.method ?? '', path, token, ttl });
    const reply = (status: number, body = '') => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(body);
    };
    if (path === '/latest/api/token') {
      if (req.method !== 'PUT') return reply(405);
      const seconds = Number(ttl);
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > 21_600) return reply(400);
      const t = randomBytes(16).toString('base64');
      tokens.add(t);
      return reply(200, t);
    }
    if (req.method !== 'GET') return reply(405);
    if (token === null || !tokens.has(token)) return reply(401);
    const key = path.replace(/^\/latest\/meta-data\//, '');
    return key in metadata ? reply(200, metadata[key]) : reply(404);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

describe('discoverEc2Network (IMDSv2)', () => {
  let imds: FakeImds;
  beforeAll(async () => {
    imds = await startFakeImds(METADATA);
  });
  afterAll(async () => {
    await imds?.close();
  });

  it("reads the instance's subnet, VPC, security groups, region and private address with a session token", async () => {
    const network = await discoverEc2Network({ endpoint: imds.url, timeoutMs: 2_000 });
    expect(network).toEqual({ region: 'eu-west-1', vpcId: 'vpc-0def456', subnetId: 'subnet-0abc123', securityGroupIds: ['sg-0111', 'sg-0222'], privateIp: '10.0.3.17', mac: MAC });
    const [first, ...rest] = imds.requests;
    expect(first).toMatchObject({ method: 'PUT', path: '/latest/api/token', ttl: '60' });
    expect(rest.length).toBe(6);
    for (const r of rest) expect(r).toMatchObject({ method: 'GET', token: expect.any(String) });
  });

  it('goes into the deployment: the function gets the VpcConfig', async () => {
    const server = await startLocalLambdaServer();
    const client = lambdaClient(server);
    const tmp = await tempDir('lambda-vpc-test-');
    try {
      const network = await discoverEc2Network({ endpoint: imds.url });
      const zipPath = await zipOfFiles({ 'index.mjs': ECHO_HANDLER }, `${tmp.dir}/echo.zip`);
      await deployFunction({ client, functionName: 'in-vpc', roleArn: TEST_ROLE_ARN, zipPath, handler: 'index.handler', vpc: { subnetIds: [network.subnetId], securityGroupIds: network.securityGroupIds } });
      const config = await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'in-vpc' }));
      expect(config.VpcConfig).toMatchObject({ SubnetIds: ['subnet-0abc123'], SecurityGroupIds: ['sg-0111', 'sg-0222'] });
      // Deployed again without a VPC: the configuration follows the options.
      const again = await deployFunction({ client, functionName: 'in-vpc', roleArn: TEST_ROLE_ARN, zipPath, handler: 'index.handler' });
      expect(again.action).toBe('updated');
      expect((await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'in-vpc' }))).VpcConfig).toMatchObject({ SubnetIds: [], SecurityGroupIds: [] });
    } finally {
      client.destroy();
      await server.close();
      await tmp.remove();
    }
  });

  it('is NOT_ON_EC2 after the timeout when nothing answers, and at once when the port is closed', async () => {
    // Accepts connections and never answers: what 169.254.169.254 looks like off EC2 at best.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => void sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const err = await discoverEc2Network({ endpoint: silentUrl, timeoutMs: 300 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: LambdaErrorCode.NOT_ON_EC2, message: expect.stringMatching(/did not answer PUT \/latest\/api\/token \(no answer within 300 ms\): ec2HostVpc needs the orchestrator on an EC2 instance/) });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    await expect(discoverEc2Network({ endpoint: `http://127.0.0.1:${closedPort}`, timeoutMs: 2_000 })).rejects.toMatchObject({ code: LambdaErrorCode.NOT_ON_EC2, message: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('names what is wrong when IMDS answers oddly: IMDS disabled (403), a missing key (404), a bad value', async () => {
    const odd = await startFakeImds({ ...METADATA, [`network/interfaces/macs/${MAC}/security-group-ids`]: '' });
    try {
      await expect(discoverEc2Network({ endpoint: odd.url })).rejects.toMatchObject({ code: LambdaErrorCode.EC2_METADATA_INVALID, message: 'instance metadata: security-group-ids is ""' });
    } finally {
      await odd.close();
    }
    const { [`network/interfaces/macs/${MAC}/subnet-id`]: _gone, ...withoutSubnet } = METADATA;
    const partial = await startFakeImds(withoutSubnet);
    try {
      await expect(discoverEc2Network({ endpoint: partial.url })).rejects.toMatchObject({ code: LambdaErrorCode.EC2_METADATA_INVALID, message: expect.stringMatching(/subnet-id answered HTTP 404/) });
    } finally {
      await partial.close();
    }
    const disabled = http.createServer((_req, res) => {
      res.writeHead(403);
      res.end('IMDS is disabled');
    });
    await new Promise<void>((resolve) => disabled.listen(0, '127.0.0.1', resolve));
    try {
      await expect(discoverEc2Network({ endpoint: `http://127.0.0.1:${(disabled.address() as AddressInfo).port}` })).rejects.toMatchObject({ code: LambdaErrorCode.NOT_ON_EC2, message: expect.stringMatching(/answered HTTP 403: IMDS is disabled/) });
    } finally {
      await new Promise<void>((resolve) => {
        disabled.close(() => resolve());
        disabled.closeAllConnections();
      });
    }
    await expect(discoverEc2Network({ timeoutMs: 0 })).rejects.toMatchObject({ code: LambdaErrorCode.INVALID_OPTIONS });
  });
});

/** Shared parts of the Lambda tests: an SDK client for the local server, small handler zips. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { deployFunction, writeZip, type DeployedFunction } from '@offsample/orchestrator-core';
import type { LocalLambdaServer } from './local-lambda-server.js';

// The SDK warns once per process that releases after January 2027 need Node 22; the versions are
// pinned (STACK.md), so the warning is only noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const TEST_ROLE_ARN = 'arn:aws:iam::123456789012:role/offsample-test';

/** The real SDK client, pointed at the local server, with static credentials (no chain lookups). */
export function lambdaClient(server: LocalLambdaServer, extra: { maxAttempts?: number } = {}): LambdaClient {
  return new LambdaClient({
    region: server.region,
    endpoint: server.url,
    credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
    maxAttempts: extra.maxAttempts ?? 3,
  });
}

export interface TempDir {
  dir: string;
  remove(): Promise<void>;
}

export async function tempDir(prefix: string): Promise<TempDir> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A zip of the given files (path → text) written with the project's zip writer. */
export async function zipOfFiles(files: Record<string, string>, outPath: string): Promise<string> {
  const names = Object.keys(files).sort();
  await writeZip(
    names.map((name) => ({ name, data: Buffer.from(files[name]!, 'utf8') })),
    outPath,
  );
  return outPath;
}

/**
 * A test handler (ESM): echoes static payloads with its remaining time; `action` picks a failure.
 * Dynamic payloads call `event.callback` (a URL) when done, so a test can watch them end.
 */
export const ECHO_HANDLER = `
let calls = 0;
export async function handler(event, context) {
  calls++;
  if (event.action === 'throw') throw new TypeError('boom: ' + (event.message ?? 'no message'));
  if (event.action === 'sleep') await new Promise((r) => setTimeout(r, event.ms));
  if (event.action === 'exit') process.exit(3);
  if (event.callback) await fetch(event.callback, { method: 'POST', body: JSON.stringify({ taskManagerId: event.taskManagerId, calls }) });
  return { echo: event, calls, pid: process.pid, remainingMs: context.getRemainingTimeInMillis(), env: process.env.GREETING ?? null, taskRoot: process.env.LAMBDA_TASK_ROOT };
}
`;

/** Deploys `files` as function `name` (handler index.handler) through deployFunction. */
export async function deployFiles(
  client: LambdaClient,
  name: string,
  files: Record<string, string>,
  dir: string,
  extra: { timeoutS?: number; environment?: Record<string, string> } = {},
): Promise<DeployedFunction> {
  const zipPath = await zipOfFiles(files, path.join(dir, `${name}.zip`));
  return deployFunction({
    client,
    functionName: name,
    roleArn: TEST_ROLE_ARN,
    zipPath,
    handler: 'index.handler',
    memoryMb: 256,
    timeoutS: extra.timeoutS ?? 30,
    ...(extra.environment ? { environment: extra.environment } : {}),
  });
}

/**
 * How the client commands (`submit`, `status`, `results`) reach a gateway: `--url` / `--token`, else
 * OFFSAMPLE_GATEWAY_URL / OFFSAMPLE_API_TOKEN (validated with zod; a bad value names the variable),
 * else the address `offsample serve` uses by default. Also turns the gateway's error answers into
 * CliErrors: refused settings are the user's to fix (exit 2) and name the field and its flag.
 */
import { createGatewayClient, GatewayClientError, type GatewayClient } from '@offsample/gateway/client';
import { z } from 'zod';
import type { ParsedArgs } from './args.js';
import { GATEWAY_CLIENT_DEFAULTS } from './defaults.js';
import { CliError, CliErrorCode, errorMessage } from './errors.js';

/** The flags every client command accepts, for parseCommandArgs. */
export const CONNECTION_FLAGS = Object.freeze({
  url: { type: 'string' },
  token: { type: 'string' },
} as const);

export const CONNECTION_USAGE = `  --url URL            the gateway's GraphQL endpoint (default $OFFSAMPLE_GATEWAY_URL, else ${GATEWAY_CLIENT_DEFAULTS.url})
  --token T            API token (default $OFFSAMPLE_API_TOKEN; prefer the variable: flags show in ps)`;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL like http://127.0.0.1:4000/graphql' });
// The gateway's own rule for tokens (apps/gateway/src/server/options.ts).
const token = z.string().min(16, 'must be at least 16 characters').max(512).regex(/^\S+$/, 'must not contain spaces');

const envSchema = z.object({
  OFFSAMPLE_GATEWAY_URL: httpUrl.optional(),
  OFFSAMPLE_API_TOKEN: token.optional(),
});

export interface GatewayConnection {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  token: string | null;
}

/** OFFSAMPLE_GATEWAY_URL and OFFSAMPLE_API_TOKEN, validated; empty variables count as unset. */
export function readGatewayEnv(env: NodeJS.ProcessEnv = process.env): { url?: string; token?: string } {
  const pick = (k: string) => (env[k] === '' ? undefined : env[k]);
  const parsed = envSchema.safeParse({ OFFSAMPLE_GATEWAY_URL: pick('OFFSAMPLE_GATEWAY_URL'), OFFSAMPLE_API_TOKEN: pick('OFFSAMPLE_API_TOKEN') });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new CliError(CliErrorCode.Config, `${name}: ${issue?.message ?? 'invalid'}`);
  }
  return { url: parsed.data.OFFSAMPLE_GATEWAY_URL, token: parsed.data.OFFSAMPLE_API_TOKEN };
}

/** A bare http://host:port means its /graphql endpoint. */
function endpoint(url: string): string {
  const u = new URL(url);
  if (u.pathname === '' || u.pathname === '/') u.pathname = '/graphql';
  return u.toString();
}

export function resolveConnection(command: string, values: ParsedArgs['values'], env: NodeJS.ProcessEnv = process.env): GatewayConnection {
  const fromEnv = readGatewayEnv(env);
  const flagUrl = typeof values.url === 'string' ? values.url : undefined;
  if (flagUrl !== undefined && !httpUrl.safeParse(flagUrl).success) {
    throw new CliError(CliErrorCode.Usage, `offsample ${command}: --url = ${JSON.stringify(flagUrl)}: must be an http(s) URL like ${GATEWAY_CLIENT_DEFAULTS.url}`);
  }
  const flagToken = typeof values.token === 'string' ? values.token : undefined;
  if (flagToken !== undefined && !token.safeParse(flagToken).success) {
    throw new CliError(CliErrorCode.Usage, `offsample ${command}: --token: must be at least 16 characters, without spaces`);
  }
  return { url: endpoint(flagUrl ?? fromEnv.url ?? GATEWAY_CLIENT_DEFAULTS.url), token: flagToken ?? fromEnv.token ?? null };
}

export function connect(connection: GatewayConnection): GatewayClient {
  return createGatewayClient({ url: connection.url, token: connection.token });
}

/** Runs `work` with a client and always closes its WebSocket; gateway errors become CliErrors. */
export async function withGateway<T>(connection: GatewayConnection, work: (client: GatewayClient) => Promise<T>): Promise<T> {
  const client = connect(connection);
  try {
    return await work(client);
  } catch (err) {
    throw toCliError(err, connection);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Field paths of SubmitJobInput → the `submit` flag that sets them, so an error says what to change. */
const FLAG_OF_FIELD: [RegExp, string][] = [
  [/^input\.name\b/, '--name'],
  [/^input\.inputs\b/, '<inputs-file>'],
  [/^input\.inputsFrom\b/, '--inputs-from'],
  [/^input\.bucket\b/, '--bucket'],
  [/^input\.splitSize\b/, '--split-size'],
  [/^input\.numTaskManagers\b/, '--task-managers'],
  [/^input\.backend\b/, '--backend'],
  [/^input\.splitMode\b/, '--split-mode'],
  [/^input\.speculation\.multiplier\b/, '--speculation-multiplier'],
  [/^input\.speculation\.quantile\b/, '--speculation-quantile'],
  [/^input\.speculation\b/, '--speculation'],
  [/^input\.maxSplitRetries\b/, '--max-split-retries'],
  [/^input\.leaseMs\b/, '--lease-ms'],
  [/^input\.output\.storage\b/, '--output-storage'],
  [/^input\.output\.location\b/, '--output-location'],
  [/^input\.output\.bucket\b/, '--output-bucket'],
  [/^input\.taskManagerConfig\b/, '--config'],
  [/^input\.model\b/, '--model'],
];

export function flagForField(path: string): string | undefined {
  return FLAG_OF_FIELD.find(([re]) => re.test(path))?.[1];
}

export function toCliError(err: unknown, connection: GatewayConnection): unknown {
  if (!(err instanceof GatewayClientError)) return err;
  switch (err.code) {
    case 'BAD_USER_INPUT': {
      if (err.fields.length === 0) return new CliError(CliErrorCode.Config, `the gateway refused the request: ${err.message}`, { cause: err });
      const lines = err.fields.map((f) => {
        const flag = flagForField(f.path);
        return `  ${f.path}${flag ? ` (${flag})` : ''}: ${f.message}`;
      });
      return new CliError(CliErrorCode.Config, `the gateway refused the request:\n${lines.join('\n')}`, { cause: err });
    }
    case 'NOT_FOUND':
      return new CliError(CliErrorCode.Usage, err.message, { cause: err });
    case 'UNAUTHENTICATED':
      return new CliError(
        CliErrorCode.Failed,
        `${connection.url} needs a valid API token (--token, or OFFSAMPLE_API_TOKEN)${connection.token ? '; the one given was refused' : ''}`,
        { cause: err },
      );
    case 'UNREACHABLE':
      return new CliError(CliErrorCode.Failed, `${err.message}\nIs a gateway running there? Start one with 'offsample serve', or point --url / OFFSAMPLE_GATEWAY_URL at it.`, { cause: err });
    default:
      return new CliError(CliErrorCode.Failed, `the gateway answered ${err.code}: ${errorMessage(err)}`, { cause: err });
  }
}

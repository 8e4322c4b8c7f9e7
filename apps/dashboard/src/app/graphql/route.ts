/**
 * Same-origin GraphQL over HTTP: the browser posts here and this handler forwards to the gateway
 * named at run time, adding the API token so that the token never reaches the browser.
 */
import { serverConfig } from '@/lib/server-config';

export const dynamic = 'force-dynamic';

/** Bodies larger than this are refused here rather than streamed to the gateway. */
const MAX_BODY_BYTES = 1_048_576 * 8;

export async function POST(request: Request): Promise<Response> {
  const { graphqlUrl, apiToken } = serverConfig();
  const body = await request.arrayBuffer();
  if (body.byteLength > MAX_BODY_BYTES) {
    return gatewayError(413, 'BAD_USER_INPUT', `request body of ${body.byteLength} bytes exceeds ${MAX_BODY_BYTES}`);
  }
  const headers: Record<string, string> = {
    'content-type': request.headers.get('content-type') ?? 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  if (apiToken) headers.authorization = `Bearer ${apiToken}`;
  let upstream: Response;
  try {
    upstream = await fetch(graphqlUrl, { method: 'POST', headers, body, cache: 'no-store' });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return gatewayError(502, 'GATEWAY_UNREACHABLE', `cannot reach the gateway at ${graphqlUrl}${cause}`);
  }
  return new Response(upstream.body, {
    status: upstream.status,
    headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json', 'cache-control': 'no-store' },
  });
}

function gatewayError(status: number, code: string, message: string): Response {
  return Response.json({ errors: [{ message, extensions: { code } }] }, { status });
}

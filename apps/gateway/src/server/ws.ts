/**
 * graphql-ws on the HTTP server's `/graphql` path: same schema, same depth limit, same error
 * formatting as HTTP. With an API token set, `connectionParams.authorization` must carry it, else
 * the socket is closed with 4403 (graphql-ws's Forbidden) before any operation runs.
 */
import type { Server } from 'node:http';
import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql/index.js';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { GatewayContext } from '../context.js';
import { ErrorCode, formatGatewayError } from '../errors.js';
import { tokenFromConnectionParams, type TokenCheck } from './auth.js';
import { depthLimitRule } from './depth-limit.js';
import type { GatewayConfig } from './options.js';

export interface WsHandle {
  close(): Promise<void>;
}

export function attachGraphqlWs(
  httpServer: Server,
  schema: GraphQLSchema,
  context: GatewayContext,
  config: GatewayConfig,
  checkToken: TokenCheck,
): WsHandle {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: config.bodyLimitBytes });
  const rules = [...specifiedRules, depthLimitRule(config.maxQueryDepth)];
  const format = (e: GraphQLError): GraphQLFormattedError => {
    // Errors about the request itself (variables that do not coerce) have no path and no cause;
    // Apollo calls them BAD_USER_INPUT over HTTP, and so does this.
    const requestError = !e.path && !e.originalError && e.extensions['code'] === undefined;
    const tagged = requestError ? new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT } }) : e;
    return formatGatewayError(tagged.toJSON(), tagged, (err) => config.log.error('graphql-ws operation failed', err));
  };

  const disposable = useServer<Record<string, unknown>>(
    {
      isProd: true,
      onConnect: (ctx) => checkToken(tokenFromConnectionParams(ctx.connectionParams)),
      onSubscribe: (_ctx, _id, payload) => {
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (err) {
          const message = err instanceof GraphQLError ? err.message : 'Syntax error';
          return [new GraphQLError(message, { extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } })];
        }
        const errors = validate(schema, document, rules);
        if (errors.length > 0) {
          return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED } }));
        }
        return {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: context,
        };
      },
      onNext: (_ctx, _id, _payload, _args, result: ExecutionResult): FormattedExecutionResult | void => {
        if (!result.errors?.length) return;
        return { ...(result.data === undefined ? {} : { data: result.data }), errors: result.errors.map(format) };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map(format),
    },
    wss,
  );

  return {
    async close() {
      await disposable.dispose();
    },
  };
}

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildGatewaySchema, printGatewaySchema } from '../dist/index.js';

describe('schema.graphql', () => {
  it('matches the schema the resolvers build (run `npm run schema -w @offsample/gateway` after a change)', async () => {
    const committed = await readFile(fileURLToPath(new URL('../schema.graphql', import.meta.url)), 'utf8');
    expect(printGatewaySchema(await buildGatewaySchema())).toBe(committed);
  });
});

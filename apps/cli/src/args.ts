/**
 * Argument parsing shared by every command: node:util parseArgs in strict mode, with its errors
 * turned into usage errors (exit code 2) that name the command and point at its --help.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './errors.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  help: boolean;
}

/** Parses `argv` for `command`; `--help`/`-h` is always accepted. */
export function parseCommandArgs(
  command: string,
  argv: string[],
  options: OptionsConfig,
  maxPositionals = 0,
): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw usageError(`offsample ${command}: ${describeParseError(err)}\nRun 'offsample ${command} --help' for usage.`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const help = values.help === true;
  if (!help && parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals.slice(maxPositionals).join(' ');
    throw usageError(`offsample ${command}: unexpected argument(s): ${extra}\nRun 'offsample ${command} --help' for usage.`);
  }
  return { values, positionals: parsed.positionals, help };
}

function describeParseError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const m = /'([^']+)'/.exec(message);
    return `unknown option ${m?.[1] ?? message}`;
  }
  // Node's own texts for the other cases ("Option '--out <value>' argument missing") are clear.
  return message.split('. To specify')[0] ?? message;
}

/** Reads an integer flag, checking bounds; the error names the flag and the bad value. */
export function intFlag(
  command: string,
  values: ParsedArgs['values'],
  name: string,
  fallback: number,
  bounds?: { min?: number; max?: number },
): number;
export function intFlag(
  command: string,
  values: ParsedArgs['values'],
  name: string,
  fallback: undefined,
  bounds?: { min?: number; max?: number },
): number | undefined;
export function intFlag(
  command: string,
  values: ParsedArgs['values'],
  name: string,
  fallback: number | undefined,
  bounds: { min?: number; max?: number } = {},
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const min = bounds.min ?? Number.MIN_SAFE_INTEGER;
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = bounds.max === undefined ? `>= ${min}` : `${min}..${max}`;
    throw usageError(`offsample ${command}: --${name} = ${JSON.stringify(raw)}: must be an integer ${range}`);
  }
  return n;
}

/** Reads a string flag that must be present. */
export function requiredString(command: string, values: ParsedArgs['values'], name: string): string {
  const raw = values[name];
  if (typeof raw !== 'string' || raw.length === 0) {
    throw usageError(`offsample ${command}: --${name} is required\nRun 'offsample ${command} --help' for usage.`);
  }
  return raw;
}

export function optionalString(values: ParsedArgs['values'], name: string): string | undefined {
  const raw = values[name];
  return typeof raw === 'string' ? raw : undefined;
}


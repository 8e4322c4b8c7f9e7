/**
 * How `submit` hands a job's inputs to the gateway: inline when they fit the gateway's cap (count
 * and request size), else as `inputsFrom` with the file's absolute path (the gateway reads it
 * itself, so it must be on the gateway's machine). Relative local paths are made absolute first:
 * task managers run in the gateway's folder, not in the user's.
 */
import path from 'node:path';
import { GATEWAY_CLIENT_DEFAULTS } from './defaults.js';
import { CliError, CliErrorCode, usageError } from './errors.js';
import { readInputsFile } from './inputs-file.js';

export type SubmitInputs =
  | { kind: 'inline'; inputs: string[] }
  | { kind: 'inputsFrom'; inputsFrom: string; count: number | null };

/** A local path written relative to the current folder (no scheme, not absolute). */
function isRelativePath(input: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(input) && !path.isAbsolute(input);
}

export interface SubmitInputsOptions {
  command: string;
  /** The <inputs-file> argument ('-' = stdin). */
  file?: string;
  /** --inputs-from: a path or an http(s) URL the gateway reads. */
  inputsFrom?: string;
  /** With a bucket, inputs are object keys: never paths to resolve. */
  bucket?: string;
  maxInlineInputs?: number;
  maxInlineBytes?: number;
}

export async function submitInputs(options: SubmitInputsOptions): Promise<SubmitInputs> {
  const { command, file, inputsFrom } = options;
  if ((file === undefined) === (inputsFrom === undefined)) {
    throw usageError(`offsample ${command}: give an <inputs-file> or --inputs-from, not ${file === undefined ? 'neither' : 'both'}\nRun 'offsample ${command} --help' for usage.`);
  }
  if (inputsFrom !== undefined) {
    const isUrl = /^https?:\/\//i.test(inputsFrom);
    return { kind: 'inputsFrom', inputsFrom: isUrl ? inputsFrom : path.resolve(inputsFrom), count: null };
  }
  const source = file as string;
  const raw = await readInputsFile(source);
  if (raw.length === 0) throw new CliError(CliErrorCode.InputFile, `inputs file ${source} has no inputs`);
  const resolve = options.bucket === undefined;
  const inputs = resolve ? raw.map((i) => (isRelativePath(i) ? path.resolve(i) : i)) : raw;
  const maxCount = options.maxInlineInputs ?? GATEWAY_CLIENT_DEFAULTS.maxInlineInputs;
  const maxBytes = options.maxInlineBytes ?? GATEWAY_CLIENT_DEFAULTS.maxInlineBytes;
  if (inputs.length <= maxCount && Buffer.byteLength(JSON.stringify(inputs)) <= maxBytes) return { kind: 'inline', inputs };

  // Too many to send inline: the gateway reads the file itself, as it is.
  const why = `${inputs.length} inputs are more than the gateway takes inline (${maxCount.toLocaleString('en-US')} inputs, ${Math.round(maxBytes / 1024 / 1024)} MiB)`;
  if (source === '-') throw usageError(`offsample ${command}: ${why}: write them to a file and pass its name (sent as inputsFrom)`);
  const relative = resolve ? raw.findIndex(isRelativePath) : -1;
  if (relative >= 0) {
    throw usageError(
      `offsample ${command}: ${why}, so the file is sent as inputsFrom and the gateway reads it as it is; ` +
        `its relative paths (e.g. ${JSON.stringify(raw[relative])}) would be read from the gateway's folder: make them absolute`,
    );
  }
  return { kind: 'inputsFrom', inputsFrom: path.resolve(source), count: inputs.length };
}

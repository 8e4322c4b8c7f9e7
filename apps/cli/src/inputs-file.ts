/**
 * Reads an inputs file: one input per line (HTTP(S) URL, local path, s3://bucket/key); blank lines
 * and lines starting with `#` are skipped; surrounding whitespace is dropped. `-` reads stdin.
 * Duplicates are kept: each line is its own input with its own index.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { CliError, CliErrorCode, errorMessage } from './errors.js';

/** Parses the text of an inputs file (same rules as `readInputsFile`). */
export function parseInputsText(text: string): string[] {
  const inputs: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length > 0 && !line.startsWith('#')) inputs.push(line);
  }
  return inputs;
}

export async function readInputsFile(file: string): Promise<string[]> {
  if (file !== '-') {
    const st = await stat(file).catch((err: unknown) => {
      throw new CliError(CliErrorCode.InputFile, `cannot read inputs file ${file}: ${errorMessage(err)}`, { cause: err });
    });
    if (!st.isFile()) throw new CliError(CliErrorCode.InputFile, `inputs file ${file} is not a file`);
  }
  // Line by line rather than one big string: a list of millions of URLs stays within memory limits.
  const lines = createInterface({
    input: file === '-' ? process.stdin : createReadStream(file, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  const inputs: string[] = [];
  for await (const raw of lines) {
    const line = raw.trim();
    if (line.length > 0 && !line.startsWith('#')) inputs.push(line);
  }
  return inputs;
}

/** Reads a `file,label` CSV as written by `offsample dataset` (header line first). */
import { readFile } from 'node:fs/promises';

export async function readLabelsCsv(file: string): Promise<{ file: string; label: string }[]> {
  const text = await readFile(file, 'utf8');
  const rows: { file: string; label: string }[] = [];
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== 'file,label') throw new Error(`${file}: expected a 'file,label' header`);
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const comma = line.lastIndexOf(',');
    if (comma <= 0) throw new Error(`${file}: malformed line ${JSON.stringify(line)}`);
    rows.push({ file: line.slice(0, comma), label: line.slice(comma + 1).trim() });
  }
  return rows;
}

/**
 * Job outputs, written when a job ends. Results always live in Postgres; this exports them by
 * streaming pages of results (never the whole job in memory):
 *   print — one JSON line per input to the print sink (stdout by default; results-format.ts);
 *   local — `<location>/results.jsonl` + `<location>/summary.json`;
 *   s3    — the same two objects under `<location>/` in `bucket` (JSONL spooled to a temp file
 *           first, so the upload has a known length and memory stays flat).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { JobSummary } from '../api-types.js';
import type { ResultRecord } from '../store/types.js';
import { resultJsonLine } from '../results-format.js';

export interface ResultSource {
  listResults(jobId: string, options: { afterIndex?: number; limit?: number }): Promise<ResultRecord[]>;
}

export interface OutputTarget {
  storage: 'print' | 'local' | 's3';
  location: string | null;
  bucket: string | null;
}

export interface OutputDeps {
  printSink?: Writable;
  s3Client?: () => S3Client;
}

const PAGE = 5_000;

async function streamResults(source: ResultSource, jobId: string, sink: Writable): Promise<number> {
  let afterIndex: number | undefined;
  let written = 0;
  for (;;) {
    const page = await source.listResults(jobId, afterIndex === undefined ? { limit: PAGE } : { afterIndex, limit: PAGE });
    for (const r of page) {
      if (!sink.write(resultJsonLine(r))) await once(sink, 'drain');
      written++;
    }
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE) return written;
    afterIndex = last.inputIndex;
  }
}

async function writeFileStream(path: string, fill: (sink: Writable) => Promise<unknown>): Promise<void> {
  const sink = createWriteStream(path);
  try {
    await fill(sink);
  } finally {
    sink.end();
    await once(sink, 'close');
  }
}

/** Writes the job's outputs; returns where they went (null for print). */
export async function exportOutputs(
  source: ResultSource,
  summary: JobSummary,
  target: OutputTarget,
  deps: OutputDeps = {},
): Promise<string | null> {
  const summaryJson = JSON.stringify(summary, null, 2) + '\n';
  switch (target.storage) {
    case 'print': {
      const sink = deps.printSink ?? process.stdout;
      await streamResults(source, summary.jobId, sink);
      return null;
    }
    case 'local': {
      const dir = target.location ?? join('offsample-results', summary.name);
      await mkdir(dir, { recursive: true });
      await writeFileStream(join(dir, 'results.jsonl'), (sink) => streamResults(source, summary.jobId, sink));
      await writeFile(join(dir, 'summary.json'), summaryJson);
      return dir;
    }
    case 's3': {
      if (target.bucket === null) throw new Error('output.bucket is required for s3 output');
      if (deps.s3Client === undefined) throw new Error('no S3 client configured for s3 output');
      const client = deps.s3Client();
      const prefix = (target.location ?? `offsample-results/${summary.name}`).replace(/\/+$/, '');
      const spool = await mkdtemp(join(tmpdir(), 'offsample-out-'));
      try {
        const file = join(spool, 'results.jsonl');
        await writeFileStream(file, (sink) => streamResults(source, summary.jobId, sink));
        const { size } = await stat(file);
        await client.send(
          new PutObjectCommand({ Bucket: target.bucket, Key: `${prefix}/results.jsonl`, Body: createReadStream(file), ContentLength: size, ContentType: 'application/x-ndjson' }),
        );
        await client.send(new PutObjectCommand({ Bucket: target.bucket, Key: `${prefix}/summary.json`, Body: summaryJson, ContentType: 'application/json' }));
      } finally {
        await rm(spool, { recursive: true, force: true });
      }
      return `s3://${target.bucket}/${prefix}/`;
    }
  }
}

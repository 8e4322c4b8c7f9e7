/**
 * What a bench section is: one file under sections/ that measures something with the shared
 * context (model, images, image server) and returns figures, a printed table and notes. Sections
 * run in registry order (sections/index.ts), so a later one can take a ratio to an earlier
 * section's figure measured in the same run (through `ctx.reports`).
 */
import type { BenchDataset, BenchModel } from './assets.js';
import type { ImageServer } from './image-server.js';
import type { BenchOptions } from './options.js';

export interface BenchContext {
  options: BenchOptions;
  /** Absolute path of bench-output/. */
  outDir: string;
  model: BenchModel;
  dataset: BenchDataset;
  server: ImageServer;
  /** One URL per dataset image, in dataset order (options.images of them). */
  urls: string[];
  /** Reports of the sections that already ran in this process, by section id. */
  reports: ReadonlyMap<string, SectionReport>;
  /** Progress line on stderr (the table goes to stdout). */
  log(line: string): void;
}

export interface TableRow {
  label: string;
  value: string;
  note?: string;
}

export interface SectionReport {
  id: string;
  title: string;
  /** Settings the figures were measured with. */
  settings: Record<string, unknown>;
  /** Headline figures, machine-readable (img/s, ratios, ms). */
  figures: Record<string, number>;
  table: TableRow[];
  /** Findings worth reading beside the table. */
  notes: string[];
  /** Everything else measured (per round, per stage), for the JSON file. */
  details: Record<string, unknown>;
}

export interface Section {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<SectionReport>;
}

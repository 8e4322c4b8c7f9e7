/**
 * The command table. A new command is one file in this folder plus one line here; `main.ts`
 * derives the top-level help and the dispatch from this list.
 */
import { cancelCommand } from './cancel.js';
import { classifyCommand } from './classify.js';
import type { Command } from './command.js';
import { datasetCommand } from './dataset.js';
import { demoCommand } from './demo.js';
import { deployCommand } from './deploy.js';
import { resultsCommand } from './results.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { statusCommand } from './status.js';
import { submitCommand } from './submit.js';

export const COMMANDS: readonly Command[] = Object.freeze([
  datasetCommand,
  classifyCommand,
  runCommand,
  serveCommand,
  deployCommand,
  submitCommand,
  statusCommand,
  resultsCommand,
  cancelCommand,
  demoCommand,
]);

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

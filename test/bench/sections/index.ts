/**
 * The bench's sections, in the order they run. A section may read the figures of any section
 * before it (ctx.reports), e.g. to print a ratio to the task-runtime figure of the same run.
 */
import type { Section } from '../section.js';
import { taskRuntimeSection } from './task-runtime/index.js';

export const SECTIONS: readonly Section[] = Object.freeze([taskRuntimeSection]);

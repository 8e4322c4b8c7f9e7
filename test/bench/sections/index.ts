/**
 * The bench's sections, in the order they run. A section may read the figures of any section
 * before it (ctx.reports): the job section divides by the task-runtime figure of the same run.
 */
import type { Section } from '../section.js';
import { controlPlaneSection } from './control-plane/index.js';
import { jobSection } from './job/index.js';
import { taskRuntimeSection } from './task-runtime/index.js';

export const SECTIONS: readonly Section[] = Object.freeze([taskRuntimeSection, jobSection, controlPlaneSection]);

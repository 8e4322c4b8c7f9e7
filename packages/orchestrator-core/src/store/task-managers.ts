/** Task-manager rows: written when the orchestrator starts one, updated as it runs and reports. */
import type { PrismaClient, Prisma } from '../generated/prisma/client.js';
import type { TaskManagerReport, TaskManagerStatus } from '../ports.js';
import { taskManagerFromModel } from './rows.js';
import type { TaskManagerRecord } from './types.js';

export interface NewTaskManager {
  id: string;
  jobId: string;
  backend: string;
}

export interface TaskManagerEnd {
  status: typeof TaskManagerStatus.EXITED | typeof TaskManagerStatus.FAILED;
  error?: string | null;
}

export async function createTaskManager(prisma: PrismaClient, input: NewTaskManager): Promise<TaskManagerRecord> {
  return taskManagerFromModel(await prisma.taskManager.create({ data: { id: input.id, jobId: input.jobId, backend: input.backend } }));
}

/** STARTING → RUNNING (its first claim or heartbeat arrived); false otherwise. */
export async function markTaskManagerRunning(prisma: PrismaClient, id: string): Promise<boolean> {
  const { count } = await prisma.taskManager.updateMany({ where: { id, status: 'STARTING' }, data: { status: 'RUNNING' } });
  return count > 0;
}

/** STARTING | RUNNING → EXITED | FAILED, once; a later call changes nothing. */
export async function endTaskManager(prisma: PrismaClient, id: string, end: TaskManagerEnd): Promise<boolean> {
  const { count } = await prisma.taskManager.updateMany({
    where: { id, status: { in: ['STARTING', 'RUNNING'] } },
    data: { status: end.status, endedAt: new Date(), error: end.error ?? null },
  });
  return count > 0;
}

/**
 * The final report of a task manager: its counters and the report itself. Creates the row when
 * the orchestrator never wrote one (a task manager it did not start, e.g. a test); idempotent.
 * The row's end (status, endedAt) is left to endTaskManager(), which knows how the process ended.
 */
export async function recordReport(prisma: PrismaClient, jobId: string, report: TaskManagerReport): Promise<void> {
  const counters = {
    items: report.items + report.errors,
    busyMs: report.busyMs,
    idleMs: report.idleMs,
    coldStart: report.coldStart,
    report: JSON.parse(JSON.stringify(report)) as Prisma.InputJsonValue,
  };
  await prisma.taskManager.upsert({
    where: { id: report.taskManagerId },
    create: { id: report.taskManagerId, jobId, backend: 'unknown', status: 'RUNNING', startedAt: report.startedAt, ...counters },
    update: counters,
  });
}

export async function listTaskManagers(prisma: PrismaClient, jobId: string): Promise<TaskManagerRecord[]> {
  const rows = await prisma.taskManager.findMany({ where: { jobId }, orderBy: [{ startedAt: 'asc' }, { id: 'asc' }] });
  return rows.map(taskManagerFromModel);
}

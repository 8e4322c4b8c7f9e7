-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "job_status" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "split_mode" AS ENUM ('DYNAMIC', 'STATIC');

-- CreateEnum
CREATE TYPE "split_status" AS ENUM ('PENDING', 'RUNNING', 'DONE', 'FAILED');

-- CreateEnum
CREATE TYPE "attempt_status" AS ENUM ('RUNNING', 'SUCCEEDED', 'LOST', 'CANCELLED', 'FAILED');

-- CreateEnum
CREATE TYPE "task_manager_status" AS ENUM ('STARTING', 'RUNNING', 'EXITED', 'FAILED');

-- CreateTable
CREATE TABLE "jobs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "status" "job_status" NOT NULL DEFAULT 'QUEUED',
    "backend" TEXT NOT NULL,
    "split_mode" "split_mode" NOT NULL,
    "split_size" INTEGER NOT NULL,
    "num_splits" INTEGER NOT NULL,
    "num_task_managers" INTEGER NOT NULL,
    "total_inputs" INTEGER NOT NULL,
    "max_split_retries" INTEGER NOT NULL,
    "settings" JSONB NOT NULL,
    "worker_secret" TEXT NOT NULL,
    "done_count" INTEGER NOT NULL DEFAULT 0,
    "error_count" INTEGER NOT NULL DEFAULT 0,
    "output_storage" TEXT,
    "output_location" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),
    "error" TEXT,

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "splits" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "job_id" UUID NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "first_index" INTEGER NOT NULL,
    "inputs" TEXT[],
    "status" "split_status" NOT NULL DEFAULT 'PENDING',
    "retries" INTEGER NOT NULL DEFAULT 0,
    "speculative_slots" INTEGER NOT NULL DEFAULT 0,
    "winner_attempt_id" UUID,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "done_at" TIMESTAMPTZ(3),

    CONSTRAINT "splits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "attempts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "split_id" UUID NOT NULL,
    "job_id" UUID NOT NULL,
    "task_manager_id" TEXT NOT NULL,
    "status" "attempt_status" NOT NULL DEFAULT 'RUNNING',
    "speculative" BOOLEAN NOT NULL DEFAULT false,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lease_expires_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "item_count" INTEGER,
    "timings" JSONB,
    "error" TEXT,

    CONSTRAINT "attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "task_managers" (
    "id" TEXT NOT NULL,
    "job_id" UUID NOT NULL,
    "backend" TEXT NOT NULL,
    "status" "task_manager_status" NOT NULL DEFAULT 'STARTING',
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),
    "cold_start" BOOLEAN,
    "items" INTEGER NOT NULL DEFAULT 0,
    "busy_ms" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "idle_ms" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "report" JSONB,
    "error" TEXT,

    CONSTRAINT "task_managers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "results" (
    "id" BIGSERIAL NOT NULL,
    "job_id" UUID NOT NULL,
    "input_index" INTEGER NOT NULL,
    "input" TEXT NOT NULL,
    "split_id" UUID,
    "attempt_id" UUID,
    "label" TEXT,
    "probabilities" DOUBLE PRECISION[],
    "error_code" TEXT,
    "error_message" TEXT,
    "fetch_ms" DOUBLE PRECISION,
    "preprocess_ms" DOUBLE PRECISION,
    "infer_ms" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "results_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "jobs_status_created_at_idx" ON "jobs"("status", "created_at");

-- CreateIndex
CREATE INDEX "splits_job_id_status_ordinal_idx" ON "splits"("job_id", "status", "ordinal");

-- CreateIndex
CREATE UNIQUE INDEX "splits_job_id_ordinal_key" ON "splits"("job_id", "ordinal");

-- CreateIndex
CREATE INDEX "attempts_status_lease_expires_at_idx" ON "attempts"("status", "lease_expires_at");

-- CreateIndex
CREATE INDEX "attempts_split_id_status_idx" ON "attempts"("split_id", "status");

-- CreateIndex
CREATE INDEX "attempts_job_id_status_idx" ON "attempts"("job_id", "status");

-- CreateIndex
CREATE INDEX "task_managers_job_id_status_idx" ON "task_managers"("job_id", "status");

-- CreateIndex
CREATE INDEX "results_job_id_label_input_index_idx" ON "results"("job_id", "label", "input_index");

-- CreateIndex
CREATE INDEX "results_job_id_error_code_input_index_idx" ON "results"("job_id", "error_code", "input_index");

-- CreateIndex
CREATE INDEX "results_job_id_created_at_idx" ON "results"("job_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "results_job_id_input_index_key" ON "results"("job_id", "input_index");

-- AddForeignKey
ALTER TABLE "splits" ADD CONSTRAINT "splits_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_split_id_fkey" FOREIGN KEY ("split_id") REFERENCES "splits"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_managers" ADD CONSTRAINT "task_managers_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "results" ADD CONSTRAINT "results_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;


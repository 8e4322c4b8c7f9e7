-- Results are the hottest insert path (one row per input, written by complete_many.sql): every
-- index costs an insert per row. Keep only what reads need:
--   * (job_id, input_index) becomes the primary key (it was a unique index beside a bigserial id
--     nothing read): exactly one result or error per input, and the paging / export order;
--   * errors get a partial index (errors are few; filtering by label pages along the primary key);
--   * (job_id, created_at) stays for the rolling throughput of job_progress.sql.
ALTER TABLE "results" DROP CONSTRAINT "results_pkey";
ALTER TABLE "results" DROP COLUMN "id";
DROP INDEX "results_job_id_input_index_key";
ALTER TABLE "results" ADD CONSTRAINT "results_pkey" PRIMARY KEY ("job_id", "input_index");
DROP INDEX "results_job_id_label_input_index_idx";
DROP INDEX "results_job_id_error_code_input_index_idx";
CREATE INDEX "results_job_id_error_code_input_index_idx" ON "results"("job_id", "error_code", "input_index") WHERE "error_code" IS NOT NULL;

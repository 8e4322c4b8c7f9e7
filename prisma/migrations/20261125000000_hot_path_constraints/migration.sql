-- The worker protocol's two hot statements insert an attempt per claim (claim_many.sql) and a
-- result per input (complete_many.sql). Each foreign key on those rows ran a trigger per inserted
-- row (a key-share lock on the parent): 27 % of claim_many's and 25 % of complete_many's execution
-- time (EXPLAIN ANALYZE, batches of 63 splits × 10 items). Both statements write those rows only
-- joined to split rows they have just locked, so the store keeps the references itself. The
-- schema keeps the relations (Prisma joins on them); the drift test lists the keys dropped here.
ALTER TABLE "results" DROP CONSTRAINT "results_job_id_fkey";
ALTER TABLE "attempts" DROP CONSTRAINT "attempts_split_id_fkey";
ALTER TABLE "attempts" DROP CONSTRAINT "attempts_job_id_fkey";

-- Deleting a job still deletes its attempts and results, as the keys' ON DELETE CASCADE did
-- (splits and task managers keep their keys): one trigger run per DELETE statement.
CREATE FUNCTION "offsample_delete_job_rows"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "attempts" WHERE "job_id" IN (SELECT "id" FROM gone);
  DELETE FROM "results" WHERE "job_id" IN (SELECT "id" FROM gone);
  RETURN NULL;
END
$$;
CREATE TRIGGER "jobs_delete_rows" AFTER DELETE ON "jobs" REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION "offsample_delete_job_rows"();

-- Rolling throughput (job_progress.sql) now sums the item counts of attempts that succeeded in
-- the window instead of counting result rows by time: the (job_id, created_at) index cost an
-- insert per result row; ended_at joins the (job_id, status) index, which every complete updates
-- anyway, so it costs nothing more.
DROP INDEX "results_job_id_created_at_idx";
DROP INDEX "attempts_job_id_status_idx";
CREATE INDEX "attempts_job_id_status_ended_at_idx" ON "attempts"("job_id", "status", "ended_at");

-- Lease expiry reads RUNNING attempts only: a partial index gets no entry when a complete moves
-- an attempt to SUCCEEDED.
DROP INDEX "attempts_status_lease_expires_at_idx";
CREATE INDEX "attempts_status_lease_expires_at_idx" ON "attempts"("status", "lease_expires_at") WHERE "status" = 'RUNNING';

-- QUEUED | RUNNING → $2 (CANCELLED or FAILED) with reason $3.
UPDATE jobs
SET status = $2::job_status, ended_at = now(), error = $3::text
WHERE id = $1::uuid AND status IN ('QUEUED', 'RUNNING')
RETURNING status

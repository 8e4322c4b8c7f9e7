-- RUNNING → FAILED for the attempts of task manager $2 on the locked splits $1: it exited, so
-- its splits need not wait for their leases to lapse.
UPDATE attempts
SET status = 'FAILED', ended_at = now(), error = $3::text
WHERE split_id = ANY ($1::uuid[]) AND task_manager_id = $2::text AND status = 'RUNNING'
RETURNING id, split_id, job_id, task_manager_id

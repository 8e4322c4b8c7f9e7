-- RUNNING → LOST for the attempts of the locked splits $1 whose lease ended before $2.
UPDATE attempts
SET status = 'LOST', ended_at = now(), error = 'lease expired without a heartbeat'
WHERE split_id = ANY ($1::uuid[]) AND status = 'RUNNING'
  AND lease_expires_at < coalesce($2::timestamptz, now())
RETURNING id, split_id, job_id, task_manager_id

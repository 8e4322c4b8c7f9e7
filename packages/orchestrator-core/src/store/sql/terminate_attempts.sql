-- Job $1 is being cancelled or failed: its RUNNING attempts → CANCELLED with reason $2.
UPDATE attempts
SET status = 'CANCELLED', ended_at = now(), error = $2::text
WHERE job_id = $1::uuid AND status = 'RUNNING'

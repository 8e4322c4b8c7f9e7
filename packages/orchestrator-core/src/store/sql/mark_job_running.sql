-- QUEUED → RUNNING: the job is admitted and its task managers may claim.
UPDATE jobs
SET status = 'RUNNING', started_at = coalesce(started_at, now())
WHERE id = $1::uuid AND status = 'QUEUED'
RETURNING started_at

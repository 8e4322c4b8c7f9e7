-- Job $1 is being cancelled or failed: its unfinished splits → FAILED with reason $2. Taken first,
-- so a complete() in flight finishes (its split stays DONE) before this touches the split.
UPDATE splits
SET status = 'FAILED', done_at = now(), speculative_slots = 0, error = $2::text
WHERE job_id = $1::uuid AND status IN ('PENDING', 'RUNNING')
RETURNING id

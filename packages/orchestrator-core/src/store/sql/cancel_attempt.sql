-- RUNNING → CANCELLED for attempt $1 of the locked split $2, with $3 as its error: an attempt whose
-- claim never reached its task manager (given back, split-store.ts giveBack).
UPDATE attempts
SET status = 'CANCELLED', ended_at = now(), error = $3::text
WHERE id = $1::uuid AND split_id = $2::uuid AND status = 'RUNNING'
RETURNING id, split_id, job_id, task_manager_id

-- Grant RUNNING split $1 one speculative copy (claimed after every PENDING split), within the
-- job's retry cap and one outstanding copy at a time.
UPDATE splits s
SET speculative_slots = s.speculative_slots + 1, retries = s.retries + 1
FROM jobs j
WHERE s.id = $1::uuid AND j.id = s.job_id AND j.status = 'RUNNING' AND s.status = 'RUNNING'
  AND s.speculative_slots = 0 AND s.retries < j.max_split_retries
RETURNING s.retries

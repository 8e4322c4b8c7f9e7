-- Splits among $1 whose last RUNNING attempt just ended without completing: back to PENDING while
-- retries remain, else FAILED with a reason built from $2 (the caller then writes an error
-- record for each input without one). `retries` counts attempts granted beyond the first;
-- speculative slots granted but never claimed are given back before deciding.
-- $3 = false: the attempt ended through no fault of the split (the orchestrator stopped or
-- restarted): back to PENDING without using up a retry.
UPDATE splits s
SET status = (CASE WHEN NOT $3::boolean OR s.retries - s.speculative_slots < j.max_split_retries THEN 'PENDING' ELSE 'FAILED' END)::split_status,
    retries = CASE WHEN NOT $3::boolean THEN s.retries - s.speculative_slots
                   WHEN s.retries - s.speculative_slots < j.max_split_retries
                   THEN s.retries - s.speculative_slots + 1 ELSE s.retries - s.speculative_slots END,
    speculative_slots = 0,
    done_at = CASE WHEN NOT $3::boolean OR s.retries - s.speculative_slots < j.max_split_retries THEN NULL ELSE now() END,
    error = CASE WHEN NOT $3::boolean OR s.retries - s.speculative_slots < j.max_split_retries THEN s.error
                 ELSE 'split ' || s.ordinal || ' failed: ' || $2::text || '; '
                      || (SELECT count(*) FROM attempts x WHERE x.split_id = s.id AND x.status IN ('LOST', 'FAILED'))
                      || ' attempt(s) ended without completing and its ' || j.max_split_retries
                      || ' retries (maxSplitRetries) are used up' END
FROM jobs j
WHERE s.id = ANY ($1::uuid[]) AND j.id = s.job_id AND s.status = 'RUNNING'
  AND NOT EXISTS (SELECT 1 FROM attempts o WHERE o.split_id = s.id AND o.status = 'RUNNING')
RETURNING s.id, s.job_id, s.ordinal, s.status, s.retries, s.error

-- After a win: the winner $1 SUCCEEDED with $3 items and its timings $4; every other RUNNING
-- attempt of split $2 is CANCELLED (its task manager hears 'abandon' at its next heartbeat).
UPDATE attempts
SET status = (CASE WHEN id = $1::uuid THEN 'SUCCEEDED' ELSE 'CANCELLED' END)::attempt_status,
    ended_at = CASE WHEN id = $1::uuid THEN now() ELSE coalesce(ended_at, now()) END,
    item_count = CASE WHEN id = $1::uuid THEN $3::int ELSE item_count END,
    timings = CASE WHEN id = $1::uuid THEN $4::jsonb ELSE timings END,
    error = CASE WHEN id = $1::uuid THEN NULL ELSE 'split completed first by attempt ' || $1::text END
WHERE split_id = $2::uuid AND (id = $1::uuid OR status = 'RUNNING')

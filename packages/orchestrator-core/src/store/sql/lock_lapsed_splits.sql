-- Splits holding a RUNNING attempt whose lease ended before $1 (default now), locked before their
-- attempts are touched (the order complete() takes too). A split being completed or claimed
-- right now is skipped this round, so expiry never waits on the hot paths.
SELECT s.id
FROM splits s
WHERE s.id IN (SELECT a.split_id FROM attempts a
               WHERE a.status = 'RUNNING' AND a.lease_expires_at < coalesce($1::timestamptz, now()))
ORDER BY s.id
FOR UPDATE OF s SKIP LOCKED

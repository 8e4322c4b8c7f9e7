-- Renew the lease of attempt $1 to now + $2 ms (never shortening it) while the attempt, its split
-- and its job are all RUNNING. A RUNNING attempt whose lease has lapsed but that expire_attempts.sql
-- has not marked LOST yet is renewed: nobody else holds its split. Always one row; the state
-- columns tell the caller why nothing was renewed.
-- $3: this transaction's synchronous_commit ('off' or NULL for the server's), set by the UPDATE
-- for the lease it renews (split-store.ts, "Commits").
WITH cur AS (
  SELECT a.id, a.status AS attempt_status, s.status AS split_status, j.status AS job_status
  FROM attempts a
  JOIN splits s ON s.id = a.split_id
  JOIN jobs j ON j.id = a.job_id
  WHERE a.id = $1::uuid
),
renewed AS (
  UPDATE attempts a
  SET lease_expires_at = greatest(a.lease_expires_at, now() + $2::int * interval '1 millisecond')
  FROM cur
  WHERE a.id = cur.id AND a.status = 'RUNNING'
    AND cur.split_status = 'RUNNING' AND cur.job_status = 'RUNNING'
  RETURNING a.lease_expires_at,
            set_config('synchronous_commit', coalesce($3::text, current_setting('synchronous_commit')), true) AS commit_mode
)
SELECT cur.attempt_status, cur.split_status, cur.job_status, renewed.lease_expires_at
FROM (VALUES (1)) AS one (x)
LEFT JOIN cur ON true
LEFT JOIN renewed ON true

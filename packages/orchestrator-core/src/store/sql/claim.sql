-- Claim the next split of job $1 for task manager $2 with a lease of $3 ms.
-- Originals (PENDING, lowest ordinal first) go before speculative copies (RUNNING splits with a
-- granted slot, never to a task manager already running that split). SKIP LOCKED: concurrent
-- claimers take different splits instead of queueing on one row.
-- Always one row: the job's status, the new attempt (its columns NULL when nothing was claimed)
-- and, only when nothing was claimed, whether unfinished splits remain (NULL otherwise: the CASE
-- keeps that scan off the hot path, where a seq scan of the table grew with every DONE split).
-- `status < 'RUNNING'` is `status = 'PENDING'` (the enum's first value) written as a range on
-- purpose, with ORDER BY status, ordinal: with `=` the planner may walk splits(job_id, ordinal)
-- and filter on status (it expects PENDING rows everywhere), passing every split of the job
-- already claimed, so each claim got slower as the job went on; the range makes
-- splits(job_id, status, ordinal) the only index that yields this order, starting at the first
-- PENDING split.
-- $4: this transaction's synchronous_commit ('off': commit without waiting for the WAL flush;
-- NULL: the server's setting), set by the UPDATE below for the rows it claims (split-store.ts, "Commits").
WITH job AS (
  SELECT j.id, j.status FROM jobs j WHERE j.id = $1::uuid
),
pending AS (
  SELECT s.id, false AS speculative
  FROM splits s
  WHERE s.job_id = $1::uuid AND s.status < 'RUNNING'
    AND EXISTS (SELECT 1 FROM job WHERE job.status = 'RUNNING')
  ORDER BY s.status, s.ordinal
  LIMIT 1
  FOR UPDATE OF s SKIP LOCKED
),
copy AS (
  SELECT s.id, true AS speculative
  FROM splits s
  WHERE s.job_id = $1::uuid AND s.status = 'RUNNING' AND s.speculative_slots > 0
    AND EXISTS (SELECT 1 FROM job WHERE job.status = 'RUNNING')
    AND NOT EXISTS (SELECT 1 FROM pending)
    AND NOT EXISTS (SELECT 1 FROM attempts o
                    WHERE o.split_id = s.id AND o.status = 'RUNNING' AND o.task_manager_id = $2::text)
  ORDER BY s.ordinal
  LIMIT 1
  FOR UPDATE OF s SKIP LOCKED
),
picked AS (
  SELECT id, speculative FROM pending
  UNION ALL
  SELECT id, speculative FROM copy
),
claimed AS (
  UPDATE splits s
  SET status = 'RUNNING',
      started_at = coalesce(s.started_at, now()),
      speculative_slots = s.speculative_slots - CASE WHEN picked.speculative THEN 1 ELSE 0 END
  FROM picked
  WHERE s.id = picked.id
  RETURNING s.id, s.job_id, s.ordinal, s.first_index, s.inputs, picked.speculative,
            set_config('synchronous_commit', coalesce($4::text, current_setting('synchronous_commit')), true) AS commit_mode
),
attempt AS (
  INSERT INTO attempts (split_id, job_id, task_manager_id, status, speculative, started_at, lease_expires_at)
  SELECT c.id, c.job_id, $2::text, 'RUNNING', c.speculative, now(), now() + $3::int * interval '1 millisecond'
  FROM claimed c
  RETURNING id, split_id, speculative, lease_expires_at
)
SELECT job.status AS job_status,
       CASE WHEN a.id IS NULL
            THEN EXISTS (SELECT 1 FROM splits u WHERE u.job_id = $1::uuid AND u.status IN ('PENDING', 'RUNNING'))
       END AS unfinished,
       a.id AS attempt_id, c.id AS split_id, c.ordinal, c.first_index, array_to_json(c.inputs) AS inputs, a.speculative, a.lease_expires_at
FROM (VALUES (1)) AS one (x)
LEFT JOIN job ON true
LEFT JOIN attempt a ON true
LEFT JOIN claimed c ON c.id = a.split_id

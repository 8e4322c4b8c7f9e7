-- Group claim: up to cardinality($2) PENDING splits of job $1, lowest ordinal first, one per task
-- manager in $2 (claimer n gets the n-th split), each with a lease of $3 ms. Rows only for the
-- claimers served; the store sends the others through claim.sql (speculative copies, wait / done).
-- Same locking as claim.sql (SKIP LOCKED on splits, then the attempt insert); see its header for
-- why the filter is `status < 'RUNNING'`.
-- $4: this transaction's synchronous_commit ('off': commit without waiting for the WAL flush;
-- NULL: the server's setting), set by the UPDATE below for the rows it claims (split-store.ts, "Commits").
WITH job AS (
  SELECT j.id FROM jobs j WHERE j.id = $1::uuid AND j.status = 'RUNNING'
),
pending AS MATERIALIZED (
  SELECT s.id, s.ordinal
  FROM splits s
  WHERE s.job_id = $1::uuid AND s.status < 'RUNNING' AND EXISTS (SELECT 1 FROM job)
  ORDER BY s.status, s.ordinal
  LIMIT cardinality($2::text[])
  FOR UPDATE OF s SKIP LOCKED
),
numbered AS (
  SELECT id, row_number() OVER (ORDER BY ordinal) AS n FROM pending
),
claimed AS (
  UPDATE splits s
  SET status = 'RUNNING', started_at = coalesce(s.started_at, now())
  FROM numbered
  WHERE s.id = numbered.id
  RETURNING s.id, s.job_id, s.ordinal, s.first_index, s.inputs, numbered.n,
            set_config('synchronous_commit', coalesce($4::text, current_setting('synchronous_commit')), true) AS commit_mode
),
attempt AS (
  INSERT INTO attempts (split_id, job_id, task_manager_id, status, speculative, started_at, lease_expires_at)
  SELECT c.id, c.job_id, t.task_manager_id, 'RUNNING', false, now(), now() + $3::int * interval '1 millisecond'
  FROM claimed c
  JOIN unnest($2::text[]) WITH ORDINALITY AS t (task_manager_id, n) ON t.n = c.n
  RETURNING id, split_id, lease_expires_at
)
SELECT c.n::int AS claimer, a.id AS attempt_id, c.id AS split_id, c.ordinal, c.first_index, array_to_json(c.inputs) AS inputs, a.lease_expires_at
FROM attempt a
JOIN claimed c ON c.id = a.split_id

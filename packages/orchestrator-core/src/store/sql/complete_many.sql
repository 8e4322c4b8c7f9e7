-- Group complete, one autocommitted statement for a whole batch of checked reports:
--   $1 attempt ids, $2 item counts, $3 timings (jsonb or NULL): one element per report;
--   $4 the outcomes of every report: a JSON array of rows (outcomes.ts, OutcomeRow: r the report's
--   position in $1..$3, i input index, n input, l label, c error code, m error message, p probabilities,
--   f / pp / im fetch / preprocess / infer ms; a key left out is NULL). jsonb_to_recordset, not
--   json_to_recordset: measured ~3× faster per row here (its array columns especially); unnest of
--   parallel arrays is faster still in the server, but the driver's array escaping costs more in
--   the endpoint's single thread.
-- First completion wins: a split moves to DONE only from PENDING / RUNNING while its job runs, and
-- only for one report per split (the batch's first; a later one finds the split DONE, and its
-- rows, joined by report position, are never read). A report
-- from an attempt that lost its lease (LOST) or was given up with its task manager (FAILED) still
-- wins while the split is open. Then, for each win: the winner SUCCEEDED with its count and
-- timings (`won`), every other RUNNING attempt of the split CANCELLED (`cancelled`: its task
-- manager hears 'abandon'),
-- the outcomes inserted (ON CONFLICT: an input that already has its result or error keeps it; the
-- store first runs this without that clause, complete_many_unguarded in sql.ts, and runs it again
-- as written only when a result conflicts) and
-- the job's counters moved once per job. Locks: splits (in id order, so two batches cannot
-- deadlock), then attempts, then job rows, as every other transition (split-store.ts header).
-- $5: this transaction's synchronous_commit ('off': commit without waiting for the WAL flush; NULL:
-- the server's setting), set by `win` for each split it closes: everything else this statement
-- writes follows from those rows (split-store.ts, "Commits").
-- Returns one row per winning attempt with the rows it stored.
WITH report AS (
  SELECT *
  FROM unnest($1::uuid[], $2::int[], $3::jsonb[]) WITH ORDINALITY AS r (attempt_id, item_count, timings, pos)
),
eligible AS (
  -- `<>` rather than `IN ('RUNNING', 'LOST', 'FAILED')`: the same rows (the other statuses are
  -- SUCCEEDED and CANCELLED), but no index on status can serve it, so the planner reads each attempt
  -- by its primary key instead of walking every RUNNING attempt of every job.
  SELECT DISTINCT ON (a.split_id) r.attempt_id, r.item_count, r.timings, r.pos, a.split_id, a.status AS attempt_status
  FROM report r
  JOIN attempts a ON a.id = r.attempt_id
  WHERE a.status <> 'SUCCEEDED' AND a.status <> 'CANCELLED'
  ORDER BY a.split_id, r.pos
),
locked AS MATERIALIZED (
  SELECT s.id, e.attempt_id, e.item_count, e.timings, e.pos, e.attempt_status
  FROM eligible e
  JOIN splits s ON s.id = e.split_id
  ORDER BY s.id
  FOR UPDATE OF s
),
win AS (
  UPDATE splits s
  SET status = 'DONE', winner_attempt_id = l.attempt_id, done_at = now(), speculative_slots = 0
  FROM locked l, jobs j
  WHERE s.id = l.id AND j.id = s.job_id
    AND s.status IN ('PENDING', 'RUNNING') AND j.status = 'RUNNING'
  RETURNING s.id, s.job_id, s.retries, l.attempt_id, l.pos, l.attempt_status, l.item_count, l.timings,
            set_config('synchronous_commit', coalesce($5::text, current_setting('synchronous_commit')), true) AS commit_mode
),
won AS (
  -- By primary key: a join on split_id is planned from attempts' split_id statistics, which a
  -- young database does not have (Postgres then guesses 1 in 200 rows per split and seq-scans).
  UPDATE attempts a
  SET status = 'SUCCEEDED', ended_at = now(), item_count = w.item_count, timings = w.timings, error = NULL
  FROM win w
  WHERE a.id = w.attempt_id
  RETURNING a.id
),
cancelled AS (
  -- The split's other RUNNING attempts. Only a split that was granted more than one attempt
  -- (retries > 0: a speculative copy or a charged requeue), or whose winner had already been
  -- given up (a late report of a LOST / FAILED attempt: its split may have been handed out again
  -- without a charge), can have any; for the others this joins nothing and reads no attempt.
  UPDATE attempts a
  SET status = 'CANCELLED', ended_at = coalesce(a.ended_at, now()),
      error = 'split completed first by attempt ' || w.attempt_id::text
  FROM win w
  WHERE (w.retries > 0 OR w.attempt_status <> 'RUNNING')
    AND a.split_id = w.id AND a.id <> w.attempt_id AND a.status = 'RUNNING'
  RETURNING a.id
),
incoming AS (
  SELECT u.r AS pos, u.i AS input_index, u.n AS input, u.l AS label, u.c AS error_code, u.m AS error_message,
         u.p AS probabilities, u.f AS fetch_ms, u.pp AS preprocess_ms, u.im AS infer_ms
  FROM jsonb_to_recordset($4::jsonb)
       AS u (r bigint, i int, n text, l text, c text, m text, p float8[], f float8, pp float8, im float8)
),
inserted AS (
  INSERT INTO results (job_id, input_index, input, split_id, attempt_id, label, probabilities,
                       error_code, error_message, fetch_ms, preprocess_ms, infer_ms)
  SELECT w.job_id, i.input_index, i.input, w.id, w.attempt_id, i.label, i.probabilities,
         i.error_code, i.error_message, i.fetch_ms, i.preprocess_ms, i.infer_ms
  FROM incoming i
  JOIN win w ON w.pos = i.pos
  ON CONFLICT (job_id, input_index) DO NOTHING
  RETURNING job_id, attempt_id, label IS NOT NULL AS ok
),
tally AS (
  SELECT job_id, attempt_id, count(*) FILTER (WHERE ok) AS ok, count(*) FILTER (WHERE NOT ok) AS failed
  FROM inserted
  GROUP BY job_id, attempt_id
),
counted AS (
  UPDATE jobs j
  SET done_count = j.done_count + t.ok, error_count = j.error_count + t.failed
  FROM (SELECT job_id, sum(ok)::int AS ok, sum(failed)::int AS failed FROM tally GROUP BY job_id) t
  WHERE j.id = t.job_id
  RETURNING j.id
)
SELECT w.attempt_id, coalesce((t.ok + t.failed)::int, 0) AS stored
FROM win w
LEFT JOIN tally t ON t.attempt_id = w.attempt_id

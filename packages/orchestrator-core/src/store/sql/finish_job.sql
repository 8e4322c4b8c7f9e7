-- RUNNING → SUCCEEDED once no split is PENDING or RUNNING. Failed splits do not fail the job:
-- each of their inputs carries an error record (SPLIT_FAILED), and `error` says how many failed.
UPDATE jobs j
SET status = 'SUCCEEDED', ended_at = now(),
    error = CASE WHEN f.failed > 0 THEN f.failed || ' of ' || j.num_splits
                      || ' splits failed; each of their inputs has an error record' END
FROM (SELECT count(*) FILTER (WHERE status IN ('PENDING', 'RUNNING')) AS open,
             count(*) FILTER (WHERE status = 'FAILED') AS failed
      FROM splits WHERE job_id = $1::uuid) f
WHERE j.id = $1::uuid AND j.status = 'RUNNING' AND f.open = 0
RETURNING j.status, j.error

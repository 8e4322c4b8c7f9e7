-- An error record with code $2 for every input of the splits $1 that has no result yet (message:
-- the split's own error, else $3), and the job counters in the same statement. Nothing is lost
-- silently: a failed or cancelled split still accounts for each of its inputs.
WITH inserted AS (
  INSERT INTO results (job_id, input_index, input, split_id, error_code, error_message)
  SELECT s.job_id, s.first_index + u.i::int - 1, u.input, s.id, $2::text, coalesce(s.error, $3::text)
  FROM splits s
  CROSS JOIN LATERAL unnest(s.inputs) WITH ORDINALITY AS u (input, i)
  WHERE s.id = ANY ($1::uuid[])
  ON CONFLICT (job_id, input_index) DO NOTHING
  RETURNING job_id
),
counted AS (
  UPDATE jobs j
  SET error_count = j.error_count + c.n
  FROM (SELECT job_id, count(*) AS n FROM inserted GROUP BY job_id) c
  WHERE j.id = c.job_id
  RETURNING j.id
)
SELECT (SELECT count(*) FROM inserted)::int AS stored, (SELECT count(*) FROM counted)::int AS jobs_updated

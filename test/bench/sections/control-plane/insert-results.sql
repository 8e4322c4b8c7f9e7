-- Ingest reference (bench only): one split's outcomes as one bulk insert (parallel arrays, one
-- element per input) plus the job's counters, with no lookup, no split / attempt transition and
-- no grouping; the store's complete_many.sql does the same insert for a whole batch of splits. ON CONFLICT: an input that already has its result or error
-- keeps it (exactly one per input). $7 holds each probability vector as an array literal
-- ('{0.1,0.9}') because unnest cannot take an array of arrays.
WITH incoming AS (
  SELECT *
  FROM unnest($4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
              $10::float8[], $11::float8[], $12::float8[])
       AS u (input_index, input, label, probabilities, error_code, error_message, fetch_ms, preprocess_ms, infer_ms)
),
inserted AS (
  INSERT INTO results (job_id, input_index, input, split_id, attempt_id, label, probabilities,
                       error_code, error_message, fetch_ms, preprocess_ms, infer_ms)
  SELECT $1::uuid, input_index, input, $2::uuid, $3::uuid, label, probabilities::float8[],
         error_code, error_message, fetch_ms, preprocess_ms, infer_ms
  FROM incoming
  ON CONFLICT (job_id, input_index) DO NOTHING
  RETURNING label IS NOT NULL AS ok
),
counted AS (
  UPDATE jobs
  SET done_count = done_count + (SELECT count(*) FROM inserted WHERE ok),
      error_count = error_count + (SELECT count(*) FROM inserted WHERE NOT ok)
  WHERE id = $1::uuid
  RETURNING id
)
SELECT (SELECT count(*) FROM inserted)::int AS stored, (SELECT count(*) FROM counted)::int AS jobs_updated

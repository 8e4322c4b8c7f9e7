-- Cut one batch of a job's inputs into splits of $3 inputs. $2 starts on a split boundary: its
-- first input is the first input of split $4, so split k of the job starts at input k * $3.
-- unnest + GROUP BY keeps this linear in the batch size (slicing the array per split is not).
INSERT INTO splits (job_id, ordinal, first_index, inputs)
SELECT $1::uuid,
       $4::int + (u.i - 1)::int / $3::int,
       ($4::int + (u.i - 1)::int / $3::int) * $3::int,
       array_agg(u.input ORDER BY u.i)
FROM unnest($2::text[]) WITH ORDINALITY AS u (input, i)
GROUP BY (u.i - 1)::int / $3::int

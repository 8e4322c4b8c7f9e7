-- A new job, QUEUED. Its splits are inserted by insert_splits.sql in the same transaction.
INSERT INTO jobs (name, backend, split_mode, split_size, num_splits, num_task_managers, total_inputs,
                  max_split_retries, settings, worker_secret, output_storage, output_location)
VALUES ($1::text, $2::text, $3::split_mode, $4::int, $5::int, $6::int, $7::int,
        $8::int, $9::jsonb, $10::text, $11::text, $12::text)
RETURNING id, created_at

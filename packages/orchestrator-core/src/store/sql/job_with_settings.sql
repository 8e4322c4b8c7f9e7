-- One job row with its settings and worker secret. Hot: the Orchestrator's worker endpoint looks
-- the secret up for every request it authenticates, so raw SQL, not Prisma.
SELECT id, name, status, backend, split_mode, split_size, num_splits, num_task_managers, total_inputs,
       max_split_retries, done_count, error_count, output_storage, output_location, created_at,
       started_at, ended_at, error, settings, worker_secret
FROM jobs
WHERE id = $1::uuid

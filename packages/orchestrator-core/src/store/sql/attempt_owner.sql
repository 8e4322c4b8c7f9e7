-- Who holds attempt $1 (the worker endpoint checks it against the caller's token on every
-- heartbeat and complete, so it is a hot path: raw SQL, not Prisma).
SELECT job_id, task_manager_id FROM attempts WHERE id = $1::uuid

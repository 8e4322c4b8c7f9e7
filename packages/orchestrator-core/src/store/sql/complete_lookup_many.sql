-- What a batch of complete() calls needs to check the reports of attempts $1: who holds each
-- attempt (the caller's token must name the same job and task manager), the states, and each
-- split's inputs (as JSON: parsed natively, not by the driver's array parser). Attempts that do
-- not exist have no row.
SELECT a.id AS attempt_id, a.status AS attempt_status, a.split_id, a.job_id, a.task_manager_id,
       s.status AS split_status, s.winner_attempt_id, s.first_index, array_to_json(s.inputs) AS inputs,
       j.status AS job_status
FROM attempts a
JOIN splits s ON s.id = a.split_id
JOIN jobs j ON j.id = a.job_id
WHERE a.id = ANY($1::uuid[])

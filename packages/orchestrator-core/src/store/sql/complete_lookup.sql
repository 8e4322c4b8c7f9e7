-- What complete() needs to check a report of attempt $1: states, and the split's inputs.
SELECT a.status AS attempt_status, a.split_id, a.job_id,
       s.status AS split_status, s.winner_attempt_id, s.first_index, s.inputs,
       j.status AS job_status
FROM attempts a
JOIN splits s ON s.id = a.split_id
JOIN jobs j ON j.id = a.job_id
WHERE a.id = $1::uuid

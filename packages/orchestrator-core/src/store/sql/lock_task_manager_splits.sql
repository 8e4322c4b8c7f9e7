-- Splits on which task manager $1 runs an attempt, locked before their attempts are touched.
SELECT s.id
FROM splits s
WHERE s.id IN (SELECT a.split_id FROM attempts a WHERE a.task_manager_id = $1::text AND a.status = 'RUNNING')
ORDER BY s.id
FOR UPDATE OF s

-- The split of attempt $1 while that attempt runs, locked before the attempt is touched (the order
-- every transition takes: split-store.ts header).
SELECT s.id
FROM splits s
JOIN attempts a ON a.split_id = s.id
WHERE a.id = $1::uuid AND a.status = 'RUNNING'
FOR UPDATE OF s

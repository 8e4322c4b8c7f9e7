-- First completion wins: the one conditional update that moves a split to DONE. A concurrent
-- completion of the same split waits on the row lock, then finds the split DONE and updates
-- nothing. The split's status decides (EvalPlanQual re-checks only the split row): every
-- transition that closes a split (a win, retries used up, cancel) moves it out of PENDING/RUNNING.
-- A late report from an attempt that already lost its lease (LOST) or was given up with its task
-- manager (FAILED) still wins while the split is open: its work is as good as anyone's.
UPDATE splits s
SET status = 'DONE', winner_attempt_id = a.id, done_at = now(), speculative_slots = 0
FROM attempts a, jobs j
WHERE a.id = $1::uuid AND s.id = a.split_id AND j.id = s.job_id
  AND a.status IN ('RUNNING', 'LOST', 'FAILED') AND s.status IN ('PENDING', 'RUNNING') AND j.status = 'RUNNING'
RETURNING s.id, s.job_id

-- After an attempt of the locked split $1 was given back (split-store.ts giveBack) while another
-- attempt of it still runs: the given-back attempt never reached a task manager, so its place is
-- offered again as a speculative slot (claimed after every PENDING split, as any copy). `retries`
-- stays: the grant that paid for that place stands, and no second one is charged. A split with no
-- other RUNNING attempt was requeued by release_splits instead and is left alone here.
UPDATE splits s
SET speculative_slots = s.speculative_slots + 1
WHERE s.id = $1::uuid AND s.status = 'RUNNING'
  AND EXISTS (SELECT 1 FROM attempts o WHERE o.split_id = s.id AND o.status = 'RUNNING')
RETURNING s.id

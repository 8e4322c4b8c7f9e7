-- One job's progress in one round trip: the job row, splits by status, inputs finished in the
-- last $2 ms (rolling throughput: the items of attempts that won in the window; the error records
-- a failed or cancelled split leaves are not throughput), median time of winning attempts, errors
-- by code, running attempts with their lease times, live task managers, and the database clock
-- they compare to.
SELECT j.id, j.name, j.status, j.backend, j.split_mode, j.split_size, j.num_splits, j.num_task_managers,
       j.total_inputs, j.max_split_retries, j.done_count, j.error_count, j.output_storage, j.output_location,
       j.created_at, j.started_at, j.ended_at, j.error,
       now() AS db_now,
       (SELECT coalesce(json_object_agg(x.status, x.n), '{}'::json)
          FROM (SELECT status, count(*) AS n FROM splits WHERE job_id = j.id GROUP BY status) x) AS splits_by_status,
       (SELECT coalesce(sum(a.item_count), 0) FROM attempts a
          WHERE a.job_id = j.id AND a.status = 'SUCCEEDED'
            AND a.ended_at > now() - $2::int * interval '1 millisecond')::int AS finished_in_window,
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.ended_at - a.started_at) * 1000)
          FROM attempts a WHERE a.job_id = j.id AND a.status = 'SUCCEEDED') AS median_split_ms,
       (SELECT coalesce(json_agg(json_build_object('code', e.error_code, 'count', e.n) ORDER BY e.n DESC, e.error_code), '[]'::json)
          FROM (SELECT error_code, count(*) AS n FROM results
                WHERE job_id = j.id AND error_code IS NOT NULL GROUP BY error_code) e) AS errors_by_code,
       (SELECT coalesce(json_agg(json_build_object(
                 'attemptId', a.id, 'splitId', a.split_id, 'ordinal', s.ordinal, 'taskManagerId', a.task_manager_id,
                 'speculative', a.speculative, 'startedAt', a.started_at, 'leaseExpiresAt', a.lease_expires_at)
                 ORDER BY a.started_at), '[]'::json)
          FROM attempts a JOIN splits s ON s.id = a.split_id
          WHERE a.job_id = j.id AND a.status = 'RUNNING') AS running_attempts,
       (SELECT count(*) FROM task_managers t
          WHERE t.job_id = j.id AND t.status IN ('STARTING', 'RUNNING'))::int AS active_task_managers
FROM jobs j
WHERE j.id = $1::uuid

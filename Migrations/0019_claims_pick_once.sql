-- Claims read each picked task once (issue 15, measured).
--
-- lease_pending_tasks of 0014 (renamed in 0017) picked the task ids, then looked every one up
-- again by primary key to learn its run, then joined them a third time in one statement whose
-- four parts (candidates, cancelled runs, the parking update, the lease update) were planned
-- anew on every call (force_custom_plan, which the picking scans need). In psql, on a run of a
-- million pending tasks, a claim of 1 task took 0.45-0.65 ms against 0.40-0.45 ms in this
-- form; claims of 200 gain less (4.1-4.6 ms against 3.6-4.4 in psql, and 4.35 against 4.38 ms
-- in the store-only bench, within its noise). The run of each task now comes with the pick
-- (the scan visits its row anyway, to lock it), a cancelled run among them is found from that
-- list (runs is small), tasks of a cancelled run are parked by a statement of their own only
-- when there are any, and the lease is one plain update of the picked ids. What is claimed, in
-- what order, and what a cancelled run's task becomes, are unchanged.
--
-- CREATE OR REPLACE keeps the function's owner and privileges (no EXECUTE for the worker role,
-- 0017) but not its settings, so plan_cache_mode and search_path are set again.

CREATE OR REPLACE FUNCTION lease_pending_tasks(claiming_worker text, batch_size integer, lease_seconds double precision,
                                               only_runs bigint[])
RETURNS TABLE (id bigint, run_id bigint, shard_id bigint, stage text, round integer, stages_left integer, instruction text,
               input text, source_line integer, attempts integer, max_attempts integer, lease_token bigint,
               claimed_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET plan_cache_mode = force_custom_plan AS $function$
#variable_conflict use_column
DECLARE
    picked bigint[];
    picked_runs bigint[];
    stopped bigint[];
BEGIN
    IF cardinality(only_runs) = 0 THEN
        SELECT array_agg(c.id), array_agg(c.run_id) INTO picked, picked_runs FROM (
            SELECT c.id, c.run_id FROM tasks c
            WHERE c.state = 'pending' AND c.run_after <= now()
            ORDER BY c.run_after, c.id
            LIMIT batch_size
            FOR UPDATE SKIP LOCKED
        ) c;
    ELSE
        SELECT array_agg(c.id), array_agg(c.run_id) INTO picked, picked_runs FROM (
            SELECT c.id, c.run_id FROM unnest(only_runs) AS o(run_id)
            CROSS JOIN LATERAL (
                SELECT c.id, c.run_id, c.run_after FROM tasks c
                WHERE c.run_id = o.run_id AND c.state = 'pending' AND c.run_after <= now()
                ORDER BY c.run_after, c.id
                LIMIT batch_size
                FOR UPDATE SKIP LOCKED
            ) c
            ORDER BY c.run_after, c.id
            LIMIT batch_size
        ) c;
    END IF;
    IF picked IS NULL THEN
        RETURN;
    END IF;
    -- A cancelled run's pending tasks are rare (cancel_run cancels them; a submit into a
    -- cancelled run makes some): a claim that meets them cancels them, as 0014's did.
    stopped := ARRAY(SELECT r.id FROM runs r WHERE r.cancelled_at IS NOT NULL AND r.id = ANY(picked_runs));
    IF cardinality(stopped) > 0 THEN
        UPDATE tasks t SET state = 'cancelled', finished_at = now()
        FROM unnest(picked, picked_runs) AS c(id, run_id)
        WHERE t.id = c.id AND c.run_id = ANY(stopped);
        picked := ARRAY(SELECT c.id FROM unnest(picked, picked_runs) AS c(id, run_id) WHERE NOT c.run_id = ANY(stopped));
    END IF;
    RETURN QUERY
    UPDATE tasks t
    SET state = 'running', lease_owner = claiming_worker, lease_token = floor(random() * 9007199254740992)::int8,
        lease_expires_at = now() + make_interval(secs => lease_seconds), claimed_at = now(), attempts = t.attempts + 1
    FROM unnest(picked) AS c(id)
    WHERE t.id = c.id
    RETURNING t.id, t.run_id, t.shard_id, t.stage::text, t.round, t.stages_left, t.instruction, t.input,
              t.source_line, t.attempts, t.max_attempts, t.lease_token, t.claimed_at;
END
$function$;

DO $pin$
BEGIN
    EXECUTE format('ALTER FUNCTION lease_pending_tasks(text, integer, double precision, bigint[]) SET search_path = %I, pg_temp',
                   current_schema());
END
$pin$;

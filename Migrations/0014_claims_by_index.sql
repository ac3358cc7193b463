-- Claims read the pending index in order again (issue 15).
--
-- claim_tasks of 0009 kept a cancelled run's tasks out of the scan itself (`NOT run_id =
-- ANY(cancelled runs)`). The planner cannot see how many rows that keeps (none, as a rule): with
-- one run in the table it estimates none pass, so reaching batch_size rows means reading them
-- all, and it reads the whole table and sorts it (spilling to disk) for every claim. Claims
-- took 25-50 ms at 100,000 tasks, growing with the table. Without that filter the scan walks
-- tasks_claimable (or tasks_claimable_by_run) in order and stops after batch_size rows: 2 ms.
--
-- Claims limited to some runs walk tasks_claimable_by_run one run at a time: `run_id =
-- ANY(only_runs)` on that index gives no order in PostgreSQL 15, so it read every pending task of
-- the runs and sorted them; per run (`run_id = r`), the index hands them out in order.
--
-- A cancelled run's pending tasks are rare (cancel_run cancels them in the same statement; a
-- submit into a cancelled run makes some): a claim that meets them now cancels them, as
-- cancelling their run did for the others, rather than skipping them on every claim.
CREATE OR REPLACE FUNCTION claim_tasks(claiming_worker text, batch_size integer, lease_seconds double precision, only_runs bigint[])
RETURNS TABLE (id bigint, run_id bigint, shard_id bigint, stage text, round integer, stages_left integer, instruction text,
               input text, source_line integer, attempts integer, max_attempts integer, lease_token bigint,
               claimed_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET plan_cache_mode = force_custom_plan AS $function$
#variable_conflict use_column
DECLARE
    picked bigint[];
BEGIN
    IF cardinality(only_runs) = 0 THEN
        SELECT array_agg(c.id) INTO picked FROM (
            SELECT c.id FROM tasks c
            WHERE c.state = 'pending' AND c.run_after <= now()
            ORDER BY c.run_after, c.id
            LIMIT batch_size
            FOR UPDATE SKIP LOCKED
        ) c;
    ELSE
        SELECT array_agg(c.id) INTO picked FROM (
            SELECT c.id FROM unnest(only_runs) AS o(run_id)
            CROSS JOIN LATERAL (
                SELECT c.id, c.run_after FROM tasks c
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
    RETURN QUERY
    WITH candidates AS (
        SELECT c.id, c.run_id FROM tasks c WHERE c.id = ANY(picked)
    ), stopped AS (
        SELECT r.id FROM runs r WHERE r.cancelled_at IS NOT NULL AND r.id IN (SELECT c.run_id FROM candidates c)
    ), parked AS (
        UPDATE tasks t SET state = 'cancelled', finished_at = now()
        FROM candidates c
        WHERE t.id = c.id AND c.run_id IN (SELECT s.id FROM stopped s)
    )
    UPDATE tasks t
    SET state = 'running', lease_owner = claiming_worker, lease_token = floor(random() * 9007199254740992)::int8,
        lease_expires_at = now() + make_interval(secs => lease_seconds), claimed_at = now(), attempts = t.attempts + 1
    FROM candidates c
    WHERE t.id = c.id AND c.run_id NOT IN (SELECT s.id FROM stopped s)
    RETURNING t.id, t.run_id, t.shard_id, t.stage::text, t.round, t.stages_left, t.instruction, t.input,
              t.source_line, t.attempts, t.max_attempts, t.lease_token, t.claimed_at;
END
$function$;

DO $pin$
BEGIN
    EXECUTE format('ALTER FUNCTION claim_tasks(text, integer, double precision, bigint[]) SET search_path = %I, pg_temp',
                   current_schema());
END
$pin$;

-- Live claims cost twice what they did before 0017 (issue 15, measured): claim_tasks asked,
-- on every call, whether any batch run had pending work, as one EXISTS over runs with a nested
-- EXISTS over tasks, and in the function's cached plan that cost about 3 ms a claim at 20,000
-- tasks (pg_stat_user_functions: claim_tasks' own time 3.3-4 ms a call, lease_pending_tasks'
-- 3.9; without the question, 0.1), growing with the pending tasks. Now the question is two:
-- any batch run at all (a look at runs, which is small), and only then one probe of the
-- per-run pending index for each batch run (a LATERAL with LIMIT 1, which no plan can turn
-- into a scan of every pending task). The live runs with pending work, and open_batch's choice
-- of a batch run with due work, are found by the same kind of probe.
--
-- CREATE OR REPLACE keeps each function's owner and privileges but not its settings, so
-- search_path is pinned again as 0017 did.

CREATE OR REPLACE FUNCTION claim_tasks(claiming_worker text, batch_size integer, lease_seconds double precision, only_runs bigint[])
RETURNS TABLE (id bigint, run_id bigint, shard_id bigint, stage text, round integer, stages_left integer, instruction text,
               input text, source_line integer, attempts integer, max_attempts integer, lease_token bigint,
               claimed_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER AS $function$
#variable_conflict use_column
BEGIN
    -- Without a batch run with pending work (the rule) the claim is 0014's, unchanged.
    IF EXISTS (SELECT 1 FROM runs r WHERE r.config ? 'batch')
       AND EXISTS (SELECT 1 FROM runs r
                   CROSS JOIN LATERAL (SELECT 1 FROM tasks t WHERE t.run_id = r.id AND t.state = 'pending' LIMIT 1) pending
                   WHERE r.config ? 'batch') THEN
        -- The live runs with pending work, each found by one probe of the per-run pending index.
        only_runs := ARRAY(SELECT r.id FROM runs r
                           CROSS JOIN LATERAL (SELECT 1 FROM tasks t WHERE t.run_id = r.id AND t.state = 'pending' LIMIT 1) pending
                           WHERE NOT r.config ? 'batch' AND (cardinality(only_runs) = 0 OR r.id = ANY(only_runs))
                           ORDER BY r.id);
        IF cardinality(only_runs) = 0 THEN
            RETURN;
        END IF;
    END IF;
    RETURN QUERY SELECT * FROM lease_pending_tasks(claiming_worker, batch_size, lease_seconds, only_runs);
END
$function$;

CREATE OR REPLACE FUNCTION open_batch(packing_worker text, endpoint_key text, batch_size integer, lease_seconds double precision,
                           only_runs bigint[])
RETURNS TABLE (batch_id bigint, job_token bigint, reference text, id bigint, run_id bigint, shard_id bigint, stage text, round integer,
               stages_left integer, instruction text, input text, source_line integer, attempts integer,
               max_attempts integer, lease_token bigint, claimed_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER AS $function$
#variable_conflict use_column
DECLARE
    chosen_run bigint;
    made bigint;
    tag text;
    token bigint := floor(random() * 9007199254740992)::int8;
BEGIN
    SELECT r.id INTO chosen_run FROM runs r
    CROSS JOIN LATERAL (SELECT 1 FROM tasks t WHERE t.run_id = r.id AND t.state = 'pending' AND t.run_after <= now() LIMIT 1) due
    WHERE r.config ? 'batch' AND r.cancelled_at IS NULL AND (cardinality(only_runs) = 0 OR r.id = ANY(only_runs))
    ORDER BY r.id
    LIMIT 1;
    IF chosen_run IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO batches (run_id, endpoint, job_owner, job_token, job_expires_at)
    VALUES (chosen_run, endpoint_key, packing_worker, token, now() + make_interval(secs => lease_seconds))
    RETURNING batches.id, batches.reference INTO made, tag;
    RETURN QUERY
    WITH claimed AS (
        SELECT * FROM lease_pending_tasks('batch:' || made, batch_size, 3 * lease_seconds, ARRAY[chosen_run])
    ), recorded AS (
        UPDATE batches b SET task_ids = (SELECT array_agg(c.id ORDER BY c.id) FROM claimed c),
                             request_count = (SELECT count(*) FROM claimed)
        WHERE b.id = made
    )
    SELECT made, token, tag, c.* FROM claimed c;
    IF NOT FOUND THEN
        DELETE FROM batches WHERE batches.id = made;  -- another worker took them first
    END IF;
END
$function$;

DO $pin$
BEGIN
    EXECUTE format('ALTER FUNCTION claim_tasks(text, integer, double precision, bigint[]) SET search_path = %I, pg_temp',
                   current_schema());
    EXECUTE format('ALTER FUNCTION open_batch(text, text, integer, double precision, bigint[]) SET search_path = %I, pg_temp',
                   current_schema());
END
$pin$;

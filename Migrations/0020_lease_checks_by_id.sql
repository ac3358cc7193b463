-- Completions, failures and lease renewals look their tasks up by id (issue 15, measured).
--
-- complete_tasks of 0012 found the tasks it may complete with a join of its input to tasks on
-- id, state 'running' and lease token. Its cached plan estimates the input at 100 rows and the
-- running tasks from the last ANALYZE, which in a busy queue ran when few were running, so it
-- read every running task through tasks_leased (and every dead entry that index held since the
-- last vacuum) and hashed them against the input: a completion's cost grew with the tasks all
-- workers held, not with its own batch. With 6,000 tasks running, a completion of 50 took
-- 8.6-9.0 ms in psql; looked up one by one by primary key, in id order, 4.3-4.8 ms. A lookup
-- that still names the state lets the planner scan tasks_leased once per completion instead
-- (it did, on a table analyzed with nothing running: store-only throughput halved), so the
-- lease is checked on the locked row, and the update that follows names its rows by primary
-- key too. The rest of the function is 0012's, unchanged.
--
-- fail_task (0009's; 0016's form with the rejected answer calls it) named its task by id with
-- `state = 'running'` and the token in one update, which gives the planner the same choice:
-- with statistics taken when nothing ran, EXPLAIN of that update is a scan of tasks_leased. It
-- now locks its task by primary key, reading its run's cancel with it, checks the lease on the
-- locked row and updates by id (one lookup of the task, not three). The rest is 0009's.
--
-- renew_leases (0009's: heartbeats, and a provider batch's leases, up to 50,000 at once) joined
-- its ids to tasks with `state = 'running'`, and EXPLAIN on the same statistics shows a nested
-- loop over tasks_leased with the ids rescanned for every running task. It now joins on id
-- alone and checks the lease on the row it updates.
--
-- CREATE OR REPLACE keeps each function's owner and privileges (EXECUTE only for the worker
-- role) but not its settings, so search_path is pinned again as 0009 and 0012 did.

CREATE OR REPLACE FUNCTION complete_tasks(completing_worker text, batch jsonb)
RETURNS SETOF bigint
LANGUAGE plpgsql SECURITY DEFINER AS $function$
BEGIN
    RETURN QUERY
    WITH input AS (
        SELECT * FROM jsonb_to_recordset(batch)
            AS i(id int8, token int8, attempt int4, claimed_epoch float8, difficulty int4, new_instruction text,
                 response text, original_tree jsonb, expanded_tree jsonb, added_nodes jsonb, word_count int4, model text,
                 prompt_tokens int4, completion_tokens int4, latency_ms int4, http_status int4,
                 follow_stage text, follow_round int4, follow_instruction text)
    ), held AS (
        -- One primary-key lookup per completion, locked in id order (the input sorted first,
        -- as before). The lease is checked on the locked row, outside the lookup: inside it,
        -- `state = 'running'` would let the planner take tasks_leased, and read every running
        -- task for each completion (OFFSET 0 keeps the check from being pushed in).
        SELECT h.id FROM (SELECT i.id, i.token FROM input i ORDER BY i.id) i
        CROSS JOIN LATERAL (
            SELECT t.id, t.state, t.lease_token FROM tasks t WHERE t.id = i.id OFFSET 0 FOR UPDATE OF t
        ) h
        WHERE h.state = 'running' AND h.lease_token = i.token
    ), done AS (
        UPDATE tasks t
        SET state = 'succeeded', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL, last_error_code = NULL
        WHERE t.id = ANY(ARRAY(SELECT held.id FROM held))  -- by primary key, whatever the estimates
        RETURNING t.id, t.run_id, t.shard_id, t.content_hash, t.stage, t.round, t.stages_left, t.source_line, t.source_id,
                  t.input, t.reference_output, t.max_attempts, t.attempts, t.claimed_at
    ), result AS (
        INSERT INTO results
            (task_id, run_id, stage, round, difficulty, new_instruction, response, original_tree, expanded_tree,
             added_nodes, word_count, model, prompt_tokens, completion_tokens)
        SELECT d.id, d.run_id, d.stage, d.round, i.difficulty, i.new_instruction, i.response, i.original_tree,
               i.expanded_tree, i.added_nodes, i.word_count, i.model, i.prompt_tokens, i.completion_tokens
        FROM done d JOIN input i ON i.id = d.id
    ), attempt AS (
        INSERT INTO attempts
            (task_id, run_id, attempt, lease_token, worker_id, started_at, outcome, http_status,
             prompt_tokens, completion_tokens, latency_ms, model)
        SELECT d.id, d.run_id, d.attempts, i.token, completing_worker, d.claimed_at, 'succeeded', i.http_status,
               i.prompt_tokens, i.completion_tokens, i.latency_ms, i.model
        FROM done d JOIN input i ON i.id = d.id
    ), stale AS (
        INSERT INTO attempts
            (task_id, run_id, attempt, lease_token, worker_id, started_at, outcome, code, detail, http_status,
             prompt_tokens, completion_tokens, latency_ms, model)
        SELECT t.id, t.run_id, i.attempt, i.token, completing_worker, to_timestamp(i.claimed_epoch), 'stale', 'lease_lost',
               'completion refused: the lease was no longer held', i.http_status,
               i.prompt_tokens, i.completion_tokens, i.latency_ms, i.model
        FROM input i JOIN tasks t ON t.id = i.id
        WHERE NOT EXISTS (SELECT 1 FROM done d WHERE d.id = i.id)
    ), follow AS (
        -- The follow-up of a task completed after its run was cancelled is created cancelled,
        -- so the row's chain ends there (export writes its last accepted round) and `rerun`
        -- revives it; one parked by `rerun --all` (cancelled) takes the new instruction, and
        -- goes back to work unless the run is cancelled.
        INSERT INTO tasks
            (run_id, shard_id, parent_task_id, content_hash, stage, round, stages_left, source_line, source_id,
             instruction, input, reference_output, max_attempts, state, finished_at)
        SELECT d.run_id, d.shard_id, d.id, d.content_hash, i.follow_stage::task_stage, i.follow_round,
               d.stages_left - 1, d.source_line, d.source_id, i.follow_instruction, d.input, d.reference_output, d.max_attempts,
               CASE WHEN r.cancelled_at IS NULL THEN 'pending'::task_state ELSE 'cancelled'::task_state END,
               CASE WHEN r.cancelled_at IS NULL THEN NULL ELSE now() END
        FROM done d
        JOIN input i ON i.id = d.id
        JOIN runs r ON r.id = d.run_id
        WHERE i.follow_stage IS NOT NULL
        ON CONFLICT (run_id, content_hash, stage, round) DO UPDATE
        SET instruction = EXCLUDED.instruction, parent_task_id = EXCLUDED.parent_task_id, state = EXCLUDED.state,
            attempts = 0, run_after = now(), finished_at = EXCLUDED.finished_at, last_error_code = NULL
        WHERE tasks.state = 'cancelled'
    )
    SELECT done.id FROM done;
END
$function$;


CREATE OR REPLACE FUNCTION fail_task(
    failing_worker text, failed_task bigint, held_token bigint, attempt_number integer, retryable boolean,
    counts_as_attempt boolean, retry_seconds double precision, attempt_outcome text, error_code text, error_detail text,
    status integer, used_prompt_tokens integer, used_completion_tokens integer, latency integer, used_model text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER AS $function$
DECLARE
    changed integer;
    holds boolean;
    run_cancelled boolean;
BEGIN
    -- The lease is checked on the locked row, found by primary key alone (as complete_tasks
    -- does above), with its run's cancel in the same read; the update then names only the id,
    -- so neither can read tasks_leased.
    SELECT t.state = 'running' AND t.lease_token = held_token, r.cancelled_at IS NOT NULL INTO holds, run_cancelled
    FROM tasks t JOIN runs r ON r.id = t.run_id
    WHERE t.id = failed_task
    FOR UPDATE OF t;
    IF NOT coalesce(holds, false) THEN
        RETURN 0;
    END IF;
    WITH failed AS (
        UPDATE tasks
        SET state = CASE WHEN run_cancelled THEN 'cancelled'
                         WHEN retryable AND (tasks.attempts < tasks.max_attempts OR NOT counts_as_attempt) THEN 'pending'
                         ELSE 'failed' END::task_state,
            attempts = tasks.attempts - CASE WHEN counts_as_attempt THEN 0 ELSE 1 END,
            run_after = now() + make_interval(secs => retry_seconds),
            finished_at = CASE WHEN NOT run_cancelled AND retryable
                                    AND (tasks.attempts < tasks.max_attempts OR NOT counts_as_attempt)
                               THEN NULL ELSE now() END,
            lease_owner = NULL, lease_expires_at = NULL, last_error_code = error_code
        WHERE tasks.id = failed_task
        RETURNING tasks.id, tasks.run_id, tasks.claimed_at
    ), attempt AS (
        INSERT INTO attempts
            (task_id, run_id, attempt, lease_token, worker_id, started_at, outcome, code, detail, http_status,
             prompt_tokens, completion_tokens, latency_ms, model)
        SELECT failed.id, failed.run_id, attempt_number, held_token, failing_worker, failed.claimed_at, attempt_outcome,
               error_code, error_detail, status, used_prompt_tokens, used_completion_tokens, latency, used_model
        FROM failed
    )
    SELECT count(*) INTO changed FROM failed;
    RETURN changed;
END
$function$;


-- Marks the worker alive and extends the leases it names (task ids with their tokens) that it
-- still holds; returns the ids of those. The update joins on id alone and decides on the row
-- it updates (the newest version, after any concurrent change) whether the lease is still
-- held, so no plan can read tasks_leased for it; a task no longer held keeps its lease time.
CREATE OR REPLACE FUNCTION renew_leases(renewing_worker text, task_ids bigint[], held_tokens bigint[], lease_seconds double precision)
RETURNS SETOF bigint
LANGUAGE plpgsql SECURITY DEFINER AS $function$
BEGIN
    UPDATE workers SET last_heartbeat = now() WHERE workers.id = renewing_worker;
    RETURN QUERY
    WITH renewed AS (
        UPDATE tasks t
        SET lease_expires_at = CASE WHEN t.state = 'running' AND t.lease_token = u.token AND t.lease_owner = renewing_worker
                                    THEN now() + make_interval(secs => lease_seconds) ELSE t.lease_expires_at END
        FROM unnest(task_ids, held_tokens) AS u(id, token)
        WHERE t.id = u.id
        RETURNING t.id, t.state = 'running' AND t.lease_token = u.token AND t.lease_owner = renewing_worker AS held
    )
    SELECT renewed.id FROM renewed WHERE renewed.held;
END
$function$;

DO $pin$
BEGIN
    EXECUTE format('ALTER FUNCTION complete_tasks(text, jsonb) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION fail_task(text, bigint, bigint, integer, boolean, boolean, double precision, text, text, text, '
                   'integer, integer, integer, integer, text) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION renew_leases(text, bigint[], bigint[], double precision) SET search_path = %I, pg_temp',
                   current_schema());
END
$pin$;

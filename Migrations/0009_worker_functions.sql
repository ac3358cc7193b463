-- The worker's changes to tasks, as functions (issue 14): least privilege that holds.
--
-- Table privileges cannot say "only the task you hold under your current lease": a role that
-- may UPDATE tasks may update any of them, and column grants cannot stop it from rewriting
-- an instruction or setting a finished task back to pending. Row-level security can narrow
-- the rows but not the transition, and all workers share one role. So the worker role gets
-- no write privilege on tasks, results or attempts at all (Ops/sql/roles.sql), only EXECUTE on
-- these functions, which run with their owner's rights (SECURITY DEFINER) and do exactly the
-- queue's moves: claim pending tasks; heartbeat, complete, fail or release a task only while
-- presenting the token of the lease that holds it; create only the follow-up of a task it
-- completes; send back only leases that ran out. No function changes the instruction of an
-- existing task except a follow-up's own, revived by the completion of its parent. (The
-- sequence lease_tokens of 0001 is no longer drawn from; it stays for binaries of before.)
--
-- Each function is the one home of its statement (the Swift side only calls it). plpgsql
-- caches each statement's plan per session; claim_tasks is planned for its actual arguments
-- every time (force_custom_plan), so the run filter folds away when empty and the matching
-- partial index is used either way. The DO block at the end pins search_path (this schema,
-- then pg_temp: a temporary object can never shadow a table here), takes EXECUTE away from
-- PUBLIC, which gets it on every new function by default, and gives it to the worker role.

-- Leases up to batch_size due pending tasks to the worker; a cancelled run's tasks never.
-- A lease's token is random (53 bits), not the next number of a sequence: holding a task means
-- knowing its token, which only the claim returns (the worker role cannot read the column), so
-- a worker cannot guess its way into another's lease.
CREATE FUNCTION claim_tasks(claiming_worker text, batch_size integer, lease_seconds double precision, only_runs bigint[])
RETURNS TABLE (id bigint, run_id bigint, shard_id bigint, stage text, round integer, stages_left integer, instruction text,
               input text, source_line integer, attempts integer, max_attempts integer, lease_token bigint,
               claimed_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET plan_cache_mode = force_custom_plan AS $function$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH candidates AS (
        SELECT c.id FROM tasks c
        WHERE c.state = 'pending' AND c.run_after <= now()
          AND (cardinality(only_runs) = 0 OR c.run_id = ANY(only_runs))
          AND NOT c.run_id = ANY(ARRAY(SELECT r.id FROM runs r WHERE r.cancelled_at IS NOT NULL))
        ORDER BY c.run_after, c.id
        LIMIT batch_size
        FOR UPDATE SKIP LOCKED
    )
    UPDATE tasks t
    SET state = 'running', lease_owner = claiming_worker, lease_token = floor(random() * 9007199254740992)::int8,
        lease_expires_at = now() + make_interval(secs => lease_seconds), claimed_at = now(), attempts = t.attempts + 1
    FROM candidates c
    WHERE t.id = c.id
    RETURNING t.id, t.run_id, t.shard_id, t.stage::text, t.round, t.stages_left, t.instruction, t.input,
              t.source_line, t.attempts, t.max_attempts, t.lease_token, t.claimed_at;
END
$function$;

-- Marks the worker alive and extends the leases it names (task ids with their tokens) that it
-- still holds; returns the ids of those.
CREATE FUNCTION renew_leases(renewing_worker text, task_ids bigint[], held_tokens bigint[], lease_seconds double precision)
RETURNS SETOF bigint
LANGUAGE plpgsql SECURITY DEFINER AS $function$
BEGIN
    UPDATE workers SET last_heartbeat = now() WHERE workers.id = renewing_worker;
    RETURN QUERY
    UPDATE tasks t SET lease_expires_at = now() + make_interval(secs => lease_seconds)
    FROM unnest(task_ids, held_tokens) AS u(id, token)
    WHERE t.id = u.id AND t.state = 'running' AND t.lease_token = u.token AND t.lease_owner = renewing_worker
    RETURNING t.id;
END
$function$;

-- Stores each output of a batch as its task's one result, marks the task succeeded, records
-- the attempt and creates the follow-up, each only if the lease (token) is still held; a stale
-- completion writes only a 'stale' attempt. Returns the ids recorded. The batch is a JSON array
-- of objects keyed like the input record below; a key left out reads as NULL.
CREATE FUNCTION complete_tasks(completing_worker text, batch jsonb)
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
        SELECT t.id FROM tasks t JOIN input i ON i.id = t.id
        WHERE t.state = 'running' AND t.lease_token = i.token
        ORDER BY t.id
        FOR UPDATE OF t
    ), done AS (
        UPDATE tasks t
        SET state = 'succeeded', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL, last_error_code = NULL
        FROM held
        WHERE t.id = held.id
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
        -- A follow-up of a cancelled run is not created; one parked by `rerun --all` (cancelled)
        -- is revived with the new instruction.
        INSERT INTO tasks
            (run_id, shard_id, parent_task_id, content_hash, stage, round, stages_left, source_line, source_id,
             instruction, input, reference_output, max_attempts)
        SELECT d.run_id, d.shard_id, d.id, d.content_hash, i.follow_stage::task_stage, i.follow_round,
               d.stages_left - 1, d.source_line, d.source_id, i.follow_instruction, d.input, d.reference_output, d.max_attempts
        FROM done d
        JOIN input i ON i.id = d.id
        JOIN runs r ON r.id = d.run_id AND r.cancelled_at IS NULL
        WHERE i.follow_stage IS NOT NULL
        ON CONFLICT (run_id, content_hash, stage, round) DO UPDATE
        SET instruction = EXCLUDED.instruction, parent_task_id = EXCLUDED.parent_task_id, state = 'pending',
            attempts = 0, run_after = now(), finished_at = NULL, last_error_code = NULL
        WHERE tasks.state = 'cancelled'
    )
    SELECT done.id FROM done;
END
$function$;

-- Records a failed attempt of a held task: back to pending after retry_seconds while attempts
-- remain and the failure is retryable, cancelled if its run was cancelled meanwhile, else
-- failed. Returns 1, or 0 when the lease was no longer held (nothing changed).
CREATE FUNCTION fail_task(
    failing_worker text, failed_task bigint, held_token bigint, attempt_number integer, retryable boolean,
    counts_as_attempt boolean, retry_seconds double precision, attempt_outcome text, error_code text, error_detail text,
    status integer, used_prompt_tokens integer, used_completion_tokens integer, latency integer, used_model text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER AS $function$
DECLARE
    changed integer;
BEGIN
    WITH failed AS (
        UPDATE tasks
        SET state = CASE WHEN run.cancelled THEN 'cancelled'
                         WHEN retryable AND (tasks.attempts < tasks.max_attempts OR NOT counts_as_attempt) THEN 'pending'
                         ELSE 'failed' END::task_state,
            attempts = tasks.attempts - CASE WHEN counts_as_attempt THEN 0 ELSE 1 END,
            run_after = now() + make_interval(secs => retry_seconds),
            finished_at = CASE WHEN NOT run.cancelled AND retryable
                                    AND (tasks.attempts < tasks.max_attempts OR NOT counts_as_attempt)
                               THEN NULL ELSE now() END,
            lease_owner = NULL, lease_expires_at = NULL, last_error_code = error_code
        FROM (SELECT runs.cancelled_at IS NOT NULL AS cancelled FROM runs
              WHERE runs.id = (SELECT t.run_id FROM tasks t WHERE t.id = failed_task)) run
        WHERE tasks.id = failed_task AND tasks.state = 'running' AND tasks.lease_token = held_token
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

-- Hands held tasks back at a clean shutdown: pending again at once (cancelled if the run was
-- cancelled), the try not counted, the release kept in the history. Returns how many.
CREATE FUNCTION release_tasks(releasing_worker text, task_ids bigint[], held_tokens bigint[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER AS $function$
DECLARE
    changed integer;
BEGIN
    WITH released AS (
        UPDATE tasks t
        SET state = CASE WHEN r.cancelled_at IS NULL THEN 'pending' ELSE 'cancelled' END::task_state,
            finished_at = CASE WHEN r.cancelled_at IS NULL THEN NULL ELSE now() END,
            attempts = t.attempts - 1, run_after = now(), lease_owner = NULL, lease_expires_at = NULL
        FROM unnest(task_ids, held_tokens) AS u(id, token), runs r
        WHERE t.id = u.id AND t.state = 'running' AND t.lease_token = u.token AND r.id = t.run_id
        RETURNING t.id, t.run_id, t.attempts, t.lease_token, t.claimed_at
    ), history AS (
        INSERT INTO attempts (task_id, run_id, attempt, lease_token, worker_id, started_at, outcome, code, detail)
        SELECT released.id, released.run_id, released.attempts + 1, released.lease_token, releasing_worker,
               released.claimed_at, 'released', 'shutdown', 'released unfinished at a clean worker shutdown'
        FROM released
    )
    SELECT count(*) INTO changed FROM released;
    RETURN changed;
END
$function$;

-- Sends tasks whose lease ran out back to pending (failed on their last attempt, cancelled in a
-- cancelled run) and records each lost attempt. One reaper at a time (a transaction-scoped
-- advisory lock); the others return 0 at once. Returns how many tasks were recovered.
CREATE FUNCTION reap_expired_leases(batch_size integer)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER AS $function$
DECLARE
    changed integer;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext(current_schema() || '.reaper')) THEN
        RETURN 0;
    END IF;
    WITH expired AS (
        SELECT t.id, t.run_id, t.lease_owner, t.lease_token, t.claimed_at, t.attempts, t.max_attempts,
               r.cancelled_at IS NOT NULL AS run_cancelled
        FROM tasks t
        JOIN runs r ON r.id = t.run_id
        WHERE t.state = 'running' AND t.lease_expires_at < now()
        ORDER BY t.lease_expires_at
        LIMIT batch_size
        FOR UPDATE OF t SKIP LOCKED
    ), reset AS (
        UPDATE tasks t
        SET state = CASE WHEN e.run_cancelled THEN 'cancelled'
                         WHEN e.attempts >= e.max_attempts THEN 'failed'
                         ELSE 'pending' END::task_state,
            finished_at = CASE WHEN e.run_cancelled OR e.attempts >= e.max_attempts THEN now() END,
            run_after = now(), lease_owner = NULL, lease_expires_at = NULL, last_error_code = 'lease_expired'
        FROM expired e
        WHERE t.id = e.id
        RETURNING t.id
    ), lost AS (
        INSERT INTO attempts (task_id, run_id, attempt, lease_token, worker_id, started_at, outcome, code, detail)
        SELECT e.id, e.run_id, e.attempts, e.lease_token, coalesce(e.lease_owner, 'unknown'), coalesce(e.claimed_at, now()),
               'lost', 'lease_expired', 'the worker stopped renewing its lease (crashed, killed or stalled)'
        FROM expired e
    )
    SELECT count(*) INTO changed FROM reset;
    RETURN changed;
END
$function$;

DO $pin$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_proc p
        WHERE p.pronamespace = current_schema()::regnamespace AND p.prosecdef
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
        -- Where Ops/sql/roles.sql made a worker role, it may run the new workers at once, so an
        -- upgrade is: migrate, roll the workers, re-run roles.sql (which then takes the old
        -- workers' table privileges away).
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'treeinstruct_worker') THEN
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO treeinstruct_worker', f);
        END IF;
    END LOOP;
END
$pin$;

-- An accepted answer's call is kept on its result row instead of a row of its own (issue 15).
--
-- Every completion wrote a result and an attempt: two new rows and four index entries for one
-- accepted answer, beside the task's own update. The store-only bench without the attempt row
-- ran 15% faster with four loops (BENCHMARKS.md, "Sixth session on issue 15"). So:
--   - the attempts table becomes attempt_log, for the tries that were not accepted (rejected,
--     failed, lost, released, stale) and for the accepted ones written before this migration;
--   - results gains the accepted call's figures (attempt_id from attempt_log's sequence, so ids
--     still order every try of a task; attempt number, lease token, worker, start, HTTP status,
--     latency; model and tokens it had already), and its finished_at is the result's created_at;
--   - `attempts` is a view of both with the table's columns in the table's order, so every
--     reader (the progress views, status, the viewer, Ops/sql, people with psql) reads as before.
--     Writes to it go to attempt_log (INSTEAD OF triggers): the functions that log failures
--     (0009, 0012, 0016, 0017, 0020) are unchanged;
--   - a result deleted by `rerun --all` leaves its attempt in attempt_log, since attempts are kept
--     across reruns as a task's history (a DELETE does; a TRUNCATE of results, which only the
--     owner may run, takes the accepted tries with it).
-- The progress views of 0002 that read attempts were bound to the table and follow its rename,
-- so they are made again on the view from their own text.

ALTER TABLE attempts RENAME TO attempt_log;
ALTER SEQUENCE attempts_id_seq RENAME TO attempt_log_id_seq;

ALTER TABLE results
    ADD COLUMN attempt_id bigint,
    ADD COLUMN attempt integer,
    ADD COLUMN lease_token bigint,
    ADD COLUMN worker_id text,
    ADD COLUMN started_at timestamptz,
    ADD COLUMN http_status integer,
    ADD COLUMN latency_ms integer;
-- What attempts_by_run_time does for attempt_log: a run's attempts over time (progress, the
-- viewer's throughput chart).
CREATE INDEX results_by_run_time ON results (run_id, created_at) WHERE attempt_id IS NOT NULL;

CREATE VIEW attempts AS
SELECT l.id, l.task_id, l.run_id, l.attempt, l.lease_token, l.worker_id, l.started_at, l.finished_at, l.outcome, l.code,
       l.detail, l.http_status, l.prompt_tokens, l.completion_tokens, l.latency_ms, l.model, l.answer
FROM attempt_log l
UNION ALL
SELECT r.attempt_id, r.task_id, r.run_id, r.attempt, r.lease_token, r.worker_id, r.started_at, r.created_at, 'succeeded',
       NULL::text, NULL::text, r.http_status, r.prompt_tokens, r.completion_tokens, r.latency_ms, r.model, NULL::text
FROM results r
WHERE r.attempt_id IS NOT NULL;
ALTER VIEW attempts ALTER COLUMN finished_at SET DEFAULT now();

-- Writes through the view land in attempt_log. An accepted attempt lives on its result row:
-- changing or deleting it through the view is refused (change results instead).
CREATE FUNCTION log_attempt() RETURNS trigger
LANGUAGE plpgsql AS $function$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO attempt_log
            (task_id, run_id, attempt, lease_token, worker_id, started_at, finished_at, outcome, code, detail, http_status,
             prompt_tokens, completion_tokens, latency_ms, model, answer)
        VALUES (NEW.task_id, NEW.run_id, NEW.attempt, NEW.lease_token, NEW.worker_id, NEW.started_at,
                coalesce(NEW.finished_at, now()), NEW.outcome, NEW.code, NEW.detail, NEW.http_status, NEW.prompt_tokens,
                NEW.completion_tokens, NEW.latency_ms, NEW.model, NEW.answer)
        RETURNING id, finished_at INTO NEW.id, NEW.finished_at;
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE attempt_log
        SET task_id = NEW.task_id, run_id = NEW.run_id, attempt = NEW.attempt, lease_token = NEW.lease_token,
            worker_id = NEW.worker_id, started_at = NEW.started_at, finished_at = NEW.finished_at, outcome = NEW.outcome,
            code = NEW.code, detail = NEW.detail, http_status = NEW.http_status, prompt_tokens = NEW.prompt_tokens,
            completion_tokens = NEW.completion_tokens, latency_ms = NEW.latency_ms, model = NEW.model, answer = NEW.answer
        WHERE id = OLD.id;
    ELSE
        DELETE FROM attempt_log WHERE id = OLD.id;
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'attempt % was accepted and is kept on its result row: change results, not attempts', OLD.id
            USING ERRCODE = 'feature_not_supported';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$function$;

CREATE TRIGGER attempts_write_the_log INSTEAD OF INSERT OR UPDATE OR DELETE ON attempts
    FOR EACH ROW EXECUTE FUNCTION log_attempt();

-- `rerun --all` (the coordinator) deletes results; their accepted attempts stay in the history.
-- SECURITY DEFINER: the coordinator may delete results but not write attempt_log itself.
CREATE FUNCTION keep_attempts_of_deleted_results() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $function$
BEGIN
    INSERT INTO attempt_log
        (id, task_id, run_id, attempt, lease_token, worker_id, started_at, finished_at, outcome, http_status, prompt_tokens,
         completion_tokens, latency_ms, model)
    OVERRIDING SYSTEM VALUE
    SELECT r.attempt_id, r.task_id, r.run_id, r.attempt, r.lease_token, r.worker_id, r.started_at, r.created_at, 'succeeded',
           r.http_status, r.prompt_tokens, r.completion_tokens, r.latency_ms, r.model
    FROM deleted_results r
    WHERE r.attempt_id IS NOT NULL;
    RETURN NULL;
END
$function$;

CREATE TRIGGER results_keep_their_attempts AFTER DELETE ON results
    REFERENCING OLD TABLE AS deleted_results
    FOR EACH STATEMENT EXECUTE FUNCTION keep_attempts_of_deleted_results();

-- 0013's trigger deleted a deleted task's attempts from the table, now attempt_log (results
-- first: their attempts move to attempt_log as they go, and are then deleted with the rest).
CREATE OR REPLACE FUNCTION delete_history_of_deleted_tasks() RETURNS trigger
LANGUAGE plpgsql AS $function$
BEGIN
    DELETE FROM results r USING deleted_tasks d WHERE r.task_id = d.id;
    DELETE FROM attempt_log a USING deleted_tasks d WHERE a.task_id = d.id;
    RETURN NULL;
END
$function$;

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
        -- The accepted answer and the call that made it, in one row (no attempt_log row).
        INSERT INTO results
            (task_id, run_id, stage, round, difficulty, new_instruction, response, original_tree, expanded_tree,
             added_nodes, word_count, model, prompt_tokens, completion_tokens,
             attempt_id, attempt, lease_token, worker_id, started_at, http_status, latency_ms)
        SELECT d.id, d.run_id, d.stage, d.round, i.difficulty, i.new_instruction, i.response, i.original_tree,
               i.expanded_tree, i.added_nodes, i.word_count, i.model, i.prompt_tokens, i.completion_tokens,
               nextval('attempt_log_id_seq'), d.attempts, i.token, completing_worker, d.claimed_at,
               i.http_status, i.latency_ms
        FROM done d JOIN input i ON i.id = d.id
    ), stale AS (
        INSERT INTO attempt_log
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

-- The progress views of 0002 that read attempts (failure_reasons, throughput_per_minute,
-- active_workers) now read attempt_log: made again from their own text, on the view.
DO $views$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['failure_reasons', 'throughput_per_minute', 'active_workers'] LOOP
        EXECUTE format('CREATE OR REPLACE VIEW %I AS %s', name,
                       replace(pg_get_viewdef(name::regclass), 'attempt_log ', 'attempts '));
        IF strpos(pg_get_viewdef(name::regclass), 'attempt_log') > 0 THEN
            RAISE EXCEPTION 'view % still reads attempt_log', name;
        END IF;
    END LOOP;
END
$views$;

DO $pin$
BEGIN
    EXECUTE format('ALTER FUNCTION complete_tasks(text, jsonb) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION log_attempt() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION keep_attempts_of_deleted_results() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION delete_history_of_deleted_tasks() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('REVOKE ALL ON FUNCTION log_attempt(), keep_attempts_of_deleted_results() FROM PUBLIC');
    -- The monitor read the table's columns but the answer (0016); it reads the view's the same way.
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'treeinstruct_monitor') THEN
        EXECUTE format('REVOKE ALL ON %I.attempt_log FROM treeinstruct_monitor', current_schema());
        EXECUTE format('GRANT SELECT (id, task_id, run_id, attempt, lease_token, worker_id, started_at, finished_at, outcome, code, '
                       'detail, http_status, prompt_tokens, completion_tokens, latency_ms, model) ON %I.attempts TO treeinstruct_monitor',
                       current_schema());
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'treeinstruct_coordinator') THEN
        EXECUTE format('GRANT SELECT ON %I.attempts TO treeinstruct_coordinator', current_schema());
    END IF;
END
$pin$;

-- The answer a rejection refused, kept with its attempt (issue 16): the viewer shows a failed
-- row's rejected answers beside their codes, which the code and detail alone cannot explain.
--
-- fail_task gains the answer as a last argument, as a second function of the same name: the
-- one of 0009 stays as it is, so workers of the previous version keep failing tasks during a
-- rolling upgrade (they store no answer). The new one calls it and then puts the answer on the
-- attempt it wrote (the task's attempt under the lease token that held it), clipped to 8,000
-- characters.
ALTER TABLE attempts ADD COLUMN answer text;

CREATE FUNCTION fail_task(
    failing_worker text, failed_task bigint, held_token bigint, attempt_number integer, retryable boolean,
    counts_as_attempt boolean, retry_seconds double precision, attempt_outcome text, error_code text, error_detail text,
    status integer, used_prompt_tokens integer, used_completion_tokens integer, latency integer, used_model text,
    rejected_answer text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER AS $function$
DECLARE
    changed integer;
BEGIN
    changed := fail_task(failing_worker, failed_task, held_token, attempt_number, retryable, counts_as_attempt, retry_seconds,
                         attempt_outcome, error_code, error_detail, status, used_prompt_tokens, used_completion_tokens, latency,
                         used_model);
    IF changed = 1 AND rejected_answer IS NOT NULL THEN
        UPDATE attempts SET answer = left(rejected_answer, 8000)
        WHERE task_id = failed_task AND lease_token = held_token AND attempt = attempt_number AND answer IS NULL;
    END IF;
    RETURN changed;
END
$function$;

-- As 0009 did for its functions: this schema's search path pinned, no EXECUTE for PUBLIC, the
-- worker role may run it. The monitor role reads attempts for `status` but no model text: its
-- grant becomes every column but the answer (Ops/sql/roles.sql says the same).
DO $pin$
DECLARE
    f regprocedure := format('%I.fail_task(text, bigint, bigint, integer, boolean, boolean, double precision, text, text, text, '
                             'integer, integer, integer, integer, text, text)', current_schema())::regprocedure;
BEGIN
    EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'treeinstruct_worker') THEN
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO treeinstruct_worker', f);
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'treeinstruct_monitor') THEN
        EXECUTE format('REVOKE SELECT ON %I.attempts FROM treeinstruct_monitor', current_schema());
        EXECUTE format('GRANT SELECT (id, task_id, run_id, attempt, lease_token, worker_id, started_at, finished_at, outcome, code, '
                       'detail, http_status, prompt_tokens, completion_tokens, latency_ms, model) ON %I.attempts TO treeinstruct_monitor',
                       current_schema());
    END IF;
END
$pin$;

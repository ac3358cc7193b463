-- Provider batch mode (issue 17): a run whose config holds "batch" makes its calls through the
-- provider's Batch API (a JSONL file of requests answered within a completion window at half
-- the price) instead of one call per task.
--
-- A batch is another holder of leases, not another queue: packing claims pending tasks as the
-- lease owner 'batch:<id>', exactly as a worker claims them, and the lease lasts until the
-- provider's deadline. Answers are applied through complete_tasks and fail_task under that
-- owner and each task's token, so a batch applied twice (two workers, or one killed mid-apply
-- and another taking over) stores each answer once: the second completion finds the lease gone
-- and is stale. A task is in at most one open batch because it is running while it is in one.
-- A batch whose tasks nobody applies before its lease runs out is reaped like a dead worker's.
--
-- Workers take the jobs of a batch (finish packing, poll, apply) one at a time through a lease
-- on its row (job_owner, job_token, job_expires_at), the same way: a job whose worker died is
-- taken again when its lease runs out, and a write fenced by the token tells a worker that
-- lost its job to stop.
CREATE TABLE batches (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id              bigint NOT NULL,
    -- Sent in the provider batch's metadata: a batch made by a worker that died before
    -- recording it is found again by it (and adopted) rather than sent and paid for twice.
    reference           text NOT NULL DEFAULT md5(random()::text || clock_timestamp()::text),
    -- The endpoint's key (its base URL): only workers calling that endpoint can find its batches.
    endpoint            text NOT NULL,
    -- packing: tasks claimed, not yet known to be at the provider; open: at the provider;
    -- ended: the provider is done with it (completed, expired, cancelled, failed), answers not
    -- yet applied; applied: every task of it answered or returned; abandoned: never reached the
    -- provider (its tasks were returned).
    state               text NOT NULL DEFAULT 'packing'
                        CHECK (state IN ('packing', 'open', 'ended', 'applied', 'abandoned')),
    -- The provider's own status word (validating, in_progress, finalizing, completed, expired,
    -- cancelling, cancelled, failed), as last polled.
    provider_status     text,
    provider_batch_id   text UNIQUE,
    input_file_id       text,
    output_file_id      text,
    error_file_id       text,
    task_ids            bigint[] NOT NULL DEFAULT '{}',
    request_count       integer NOT NULL DEFAULT 0,
    completed_count     integer NOT NULL DEFAULT 0,
    failed_count        integer NOT NULL DEFAULT 0,
    -- Outcomes of applying it: answers stored, answers rejected or errored, tasks returned.
    applied_count       integer NOT NULL DEFAULT 0,
    rejected_count      integer NOT NULL DEFAULT 0,
    returned_count      integer NOT NULL DEFAULT 0,
    job_owner           text,
    job_token           bigint,
    job_expires_at      timestamptz,
    next_poll_at        timestamptz,
    cancel_requested_at timestamptz,
    last_error          text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    submitted_at        timestamptz,
    expires_at          timestamptz,
    ended_at            timestamptz,
    applied_at          timestamptz
);
CREATE INDEX batches_by_run ON batches (run_id);
-- The batches a job may be due on: few, however many batches were ever made.
CREATE INDEX batches_unfinished ON batches (endpoint, id) WHERE state IN ('packing', 'open', 'ended');

-- Live claims leave batch runs alone. claim_tasks of 0014 becomes lease_pending_tasks, which
-- both kinds of claim call with the runs they may take from; claim_tasks keeps its signature,
-- so workers of the previous version, which call it, never take a batch run's task either.
ALTER FUNCTION claim_tasks(text, integer, double precision, bigint[]) RENAME TO lease_pending_tasks;

CREATE FUNCTION claim_tasks(claiming_worker text, batch_size integer, lease_seconds double precision, only_runs bigint[])
RETURNS TABLE (id bigint, run_id bigint, shard_id bigint, stage text, round integer, stages_left integer, instruction text,
               input text, source_line integer, attempts integer, max_attempts integer, lease_token bigint,
               claimed_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER AS $function$
#variable_conflict use_column
BEGIN
    -- Without a batch run with pending work (the rule) the claim is 0014's, unchanged.
    IF EXISTS (SELECT 1 FROM runs r WHERE r.config ? 'batch'
               AND EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = r.id AND t.state = 'pending')) THEN
        -- The live runs with pending work, each found by one probe of the per-run pending index.
        only_runs := ARRAY(SELECT r.id FROM runs r
                           WHERE NOT r.config ? 'batch' AND (cardinality(only_runs) = 0 OR r.id = ANY(only_runs))
                             AND EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = r.id AND t.state = 'pending')
                           ORDER BY r.id);
        IF cardinality(only_runs) = 0 THEN
            RETURN;
        END IF;
    END IF;
    RETURN QUERY SELECT * FROM lease_pending_tasks(claiming_worker, batch_size, lease_seconds, only_runs);
END
$function$;

-- Starts a batch: picks the batch run (of only_runs, or any) with due pending tasks, lowest id
-- first, makes its row with its packing job held for lease_seconds, and leases up to batch_size
-- of its tasks to 'batch:<id>' for three times as long (renewed to the provider's deadline once
-- the batch is there): a packer that dies leaves its job to be taken over, and the batch found
-- at the provider, before the reaper could return the tasks and another batch send them again. Returns the batch's id, job token and reference on every row, with the claimed tasks; nothing
-- (and no row left) when no batch run has due work.
CREATE FUNCTION open_batch(packing_worker text, endpoint_key text, batch_size integer, lease_seconds double precision,
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
    WHERE r.config ? 'batch' AND r.cancelled_at IS NULL AND (cardinality(only_runs) = 0 OR r.id = ANY(only_runs))
      AND EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = r.id AND t.state = 'pending' AND t.run_after <= now())
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

-- The tasks a batch still holds (of its task_ids, under its lease owner): what applying it
-- must answer or return, with the tokens that prove the lease. Only for the worker holding the
-- batch's job (its token): the worker role reads no other task's text or token.
CREATE FUNCTION held_batch_tasks(held_batch bigint, held_job bigint)
RETURNS TABLE (id bigint, run_id bigint, shard_id bigint, stage text, round integer, stages_left integer, instruction text,
               input text, source_line integer, attempts integer, max_attempts integer, lease_token bigint,
               claimed_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER AS $function$
    SELECT t.id, t.run_id, t.shard_id, t.stage::text, t.round, t.stages_left, t.instruction, t.input, t.source_line,
           t.attempts, t.max_attempts, t.lease_token, t.claimed_at
    FROM batches b CROSS JOIN LATERAL unnest(b.task_ids) AS u(id)
    JOIN tasks t ON t.id = u.id
    WHERE b.id = held_batch AND b.job_token = held_job AND t.state = 'running' AND t.lease_owner = 'batch:' || held_batch
    ORDER BY t.id
$function$;

-- Gives held tasks back, under the code and detail that say why, due again after retry_seconds:
-- without using an attempt (a worker's clean shutdown, a batch that expired or was cancelled
-- before answering them), or using it (a batch the provider failed, a request it lost), when
-- pending again unless that was the last (then failed); cancelled in a cancelled run.
-- release_tasks (0009) becomes the shutdown case of it.
CREATE FUNCTION return_tasks(returning_worker text, task_ids bigint[], held_tokens bigint[], return_code text,
                             return_detail text, uses_attempt boolean, retry_seconds double precision)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER AS $function$
DECLARE
    changed integer;
BEGIN
    WITH released AS (
        UPDATE tasks t
        SET state = CASE WHEN r.cancelled_at IS NOT NULL THEN 'cancelled'
                         WHEN uses_attempt AND t.attempts >= t.max_attempts THEN 'failed'
                         ELSE 'pending' END::task_state,
            finished_at = CASE WHEN r.cancelled_at IS NOT NULL OR (uses_attempt AND t.attempts >= t.max_attempts) THEN now() END,
            attempts = CASE WHEN uses_attempt THEN t.attempts ELSE t.attempts - 1 END,
            run_after = now() + make_interval(secs => retry_seconds), lease_owner = NULL, lease_expires_at = NULL,
            last_error_code = CASE WHEN uses_attempt THEN return_code ELSE t.last_error_code END
        FROM unnest(task_ids, held_tokens) AS u(id, token), runs r
        WHERE t.id = u.id AND t.state = 'running' AND t.lease_token = u.token AND r.id = t.run_id
        RETURNING t.id, t.run_id, t.attempts, t.lease_token, t.claimed_at
    ), history AS (
        INSERT INTO attempts (task_id, run_id, attempt, lease_token, worker_id, started_at, outcome, code, detail)
        SELECT released.id, released.run_id, released.attempts + CASE WHEN uses_attempt THEN 0 ELSE 1 END,
               released.lease_token, returning_worker, released.claimed_at,
               CASE WHEN uses_attempt THEN 'error' ELSE 'released' END, return_code, return_detail
        FROM released
    )
    SELECT count(*) INTO changed FROM released;
    RETURN changed;
END
$function$;

CREATE OR REPLACE FUNCTION release_tasks(releasing_worker text, task_ids bigint[], held_tokens bigint[])
RETURNS integer
LANGUAGE sql SECURITY DEFINER AS $function$
    SELECT return_tasks(releasing_worker, task_ids, held_tokens, 'shutdown', 'released unfinished at a clean worker shutdown',
                        false, 0)
$function$;

-- The reaper leaves alone tasks held by a batch that is not finished: they are the batch's
-- until it is applied or abandoned (a batch that can no longer be applied is abandoned, and
-- its tasks are reaped then), however long the provider or an outage of every worker takes.
CREATE OR REPLACE FUNCTION reap_expired_leases(batch_size integer)
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
          AND NOT (t.lease_owner LIKE 'batch:%'
                   AND EXISTS (SELECT 1 FROM batches b WHERE b.id = substr(t.lease_owner, 7)::bigint
                               AND b.state IN ('packing', 'open', 'ended')))
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

-- Each run's batches at a glance (`status`, the viewer, SQL): how many are at the provider, to
-- apply, applied or abandoned, the requests still out, what applying them did, and the next
-- deadline; with the tokens its batch calls used (attempts of a 'batch:' lease owner).
CREATE VIEW batch_progress AS
SELECT b.run_id, r.name AS run,
       count(*) FILTER (WHERE b.state IN ('packing', 'open'))::int AS open_batches,
       count(*) FILTER (WHERE b.state = 'ended')::int AS ended_batches,
       count(*) FILTER (WHERE b.state = 'applied')::int AS applied_batches,
       count(*) FILTER (WHERE b.state = 'abandoned')::int AS abandoned_batches,
       coalesce(sum(b.request_count) FILTER (WHERE b.state IN ('packing', 'open', 'ended')), 0)::int AS requests_out,
       coalesce(sum(b.applied_count), 0)::int AS answers_applied,
       coalesce(sum(b.rejected_count), 0)::int AS answers_rejected,
       coalesce(sum(b.returned_count), 0)::int AS tasks_returned,
       min(b.expires_at) FILTER (WHERE b.state = 'open') AS next_deadline
FROM batches b JOIN runs r ON r.id = b.run_id
GROUP BY b.run_id, r.name;

-- A batch holds its tasks up to the provider's window (24 h): running that long is not stuck
-- while the batch's lease runs (0002's view otherwise, so its alert would fire on every batch).
CREATE OR REPLACE VIEW stuck_tasks AS
SELECT t.id AS task_id,
       t.run_id,
       r.name AS run,
       t.shard_id,
       t.stage,
       t.round,
       t.lease_owner,
       t.claimed_at,
       t.lease_expires_at,
       now() - t.claimed_at AS running_for,
       t.lease_expires_at < now() AS lease_expired
FROM tasks t
JOIN runs r ON r.id = t.run_id
WHERE t.state = 'running'
  AND (t.lease_expires_at < now()
       OR (t.claimed_at < now() - interval '15 minutes' AND t.lease_owner NOT LIKE 'batch:%'));

-- As 0009: every SECURITY DEFINER function here pinned to this schema, not PUBLIC's, the
-- worker role's. Workers keep their batch jobs in the batches table itself (as in workers and
-- rate_budgets); the coordinator marks a cancelled run's batches for cancelling; the monitor reads.
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
        -- lease_pending_tasks claims any run's tasks: only claim_tasks and open_batch call it.
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'treeinstruct_worker') AND f::text NOT LIKE '%lease_pending_tasks(%' THEN
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO treeinstruct_worker', f);
        END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'treeinstruct_worker') THEN
        EXECUTE format('REVOKE ALL ON FUNCTION %I.lease_pending_tasks(text, integer, double precision, bigint[]) FROM treeinstruct_worker',
                       current_schema());
        EXECUTE format('GRANT SELECT, UPDATE (%s) ON %I.batches TO treeinstruct_worker', 'state, provider_status, provider_batch_id, output_file_id, error_file_id, request_count, completed_count, failed_count, '
                       'applied_count, rejected_count, returned_count, job_owner, job_token, job_expires_at, next_poll_at, last_error, '
                       'submitted_at, expires_at, ended_at, applied_at', current_schema());
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'treeinstruct_coordinator') THEN
        EXECUTE format('GRANT SELECT, UPDATE (cancel_requested_at) ON %I.batches TO treeinstruct_coordinator', current_schema());
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'treeinstruct_monitor') THEN
        EXECUTE format('GRANT SELECT ON %I.batches, %I.batch_progress TO treeinstruct_monitor', current_schema(), current_schema());
    END IF;
END
$pin$;

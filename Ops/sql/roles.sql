-- Least-privilege roles, run by the schema's owner after `treeinstruct migrate` (and again after
-- each upgrade that adds migrations; it is idempotent):
--   psql "$OWNER_URL" -v ON_ERROR_STOP=1 -f Ops/sql/roles.sql
--   psql "$OWNER_URL" -c '\password treeinstruct_worker'        (likewise the other two)
-- For a schema other than treeinstruct: PGOPTIONS='-c treeinstruct.schema=NAME' psql ...
--
--   treeinstruct_worker       `work`: claim, heartbeat, complete, fail, release, reap, rate budgets,
--                             endpoint health.
--                             Reads run configs and task states. Changes tasks, results and attempts only
--                             through the queue's functions (Migrations/0009_worker_functions.sql):
--                             only tasks it holds under their current lease token, pending ones it
--                             claims, expired leases it reaps, and the follow-up of a task it
--                             completes; no instruction of an existing task. No direct INSERT,
--                             UPDATE or DELETE on them; cannot read lease tokens, texts of tasks
--                             it does not claim, results or ingest errors, or change runs.
--   treeinstruct_coordinator  `submit`, `status`, `rerun`, `cancel`, `export`: reads everything,
--                             adds and updates runs, shards, tasks; deletes only results (for
--                             `rerun --all`); no DDL.
--   treeinstruct_monitor      KEDA, Grafana, `treeinstruct status`, people with psql: the progress
--                             views, attempts and workers; no instruction or output text.
-- Migrations, archive-run.sql and cleanup.sql stay with the owner.
-- Passwords are never written here: set them with psql's \password (hashed on the client).
DO $roles$
DECLARE
    s text := coalesce(nullif(current_setting('treeinstruct.schema', true), ''), 'treeinstruct');
    role_name text;
    function_name text;
    signature regprocedure;
BEGIN
    IF to_regclass(format('%I.tasks', s)) IS NULL THEN
        RAISE EXCEPTION 'schema % has no task store; run `treeinstruct migrate` first', s;
    END IF;
    IF to_regproc(format('%I.claim_tasks', s)) IS NULL THEN
        RAISE EXCEPTION 'schema % predates the worker functions; run `treeinstruct migrate` first', s;
    END IF;
    -- Every role may create temporary tables and functions (PUBLIC's default TEMP privilege on
    -- a database), and on servers before 15 objects in schema public too. A worker or monitor
    -- credential must not be able to create anything, so both go from PUBLIC. This touches the
    -- whole database: an application sharing it that needs temporary tables must be granted
    -- TEMP explicitly. The owner running this script keeps its own rights.
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    IF to_regnamespace('public') IS NOT NULL THEN
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    END IF;
    FOREACH role_name IN ARRAY ARRAY['treeinstruct_worker', 'treeinstruct_coordinator', 'treeinstruct_monitor'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
            EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT', role_name);
        END IF;
        -- Start from nothing each time, so a privilege removed here is removed there too.
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', s, role_name);
        EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', s, role_name);
        EXECUTE format('REVOKE ALL ON SCHEMA %I FROM %I', s, role_name);
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, role_name);
        EXECUTE format('ALTER ROLE %I SET search_path = %I', role_name, s);
    END LOOP;

    -- Worker.
    EXECUTE format('GRANT SELECT ON %I.runs, %I.schema_migrations TO treeinstruct_worker', s, s);
    -- Enough to count open work (`work --exit-when-done`); not lease tokens, which are how a
    -- worker proves it holds a task, nor any text.
    EXECUTE format('GRANT SELECT (id, run_id, state, run_after) ON %I.tasks TO treeinstruct_worker', s);
    FOREACH function_name IN ARRAY ARRAY['claim_tasks', 'renew_leases', 'complete_tasks', 'fail_task', 'release_tasks',
                                         'reap_expired_leases', 'open_batch', 'held_batch_tasks', 'return_tasks'] LOOP
        FOR signature IN SELECT p.oid::regprocedure FROM pg_proc p
                         WHERE p.pronamespace = s::regnamespace AND p.proname = function_name LOOP
            EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC, treeinstruct_coordinator, treeinstruct_monitor', signature);
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO treeinstruct_worker', signature);
        END LOOP;
    END LOOP;
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I.workers, %I.rate_budgets, %I.endpoint_health, %I.endpoint_dialects
                    TO treeinstruct_worker', s, s, s, s);
    -- Provider batches: open_batch makes them; workers take their jobs and record the provider's
    -- side (not which run, endpoint, reference or tasks a batch has, nor a cancel request).
    EXECUTE format('GRANT SELECT, UPDATE (state, provider_status, provider_batch_id, output_file_id, error_file_id, request_count,
                                          completed_count, failed_count, applied_count, rejected_count, returned_count, job_owner,
                                          job_token, job_expires_at, next_poll_at, last_error, submitted_at, expires_at, ended_at,
                                          applied_at) ON %I.batches TO treeinstruct_worker', s);

    -- Coordinator.
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO treeinstruct_coordinator', s);
    EXECUTE format('GRANT INSERT, UPDATE ON %I.runs, %I.shards, %I.tasks, %I.ingest_errors TO treeinstruct_coordinator', s, s, s, s);
    EXECUTE format('GRANT DELETE ON %I.results TO treeinstruct_coordinator', s);  -- `rerun --all` discards results
    EXECUTE format('GRANT UPDATE (cancel_requested_at) ON %I.batches TO treeinstruct_coordinator', s);  -- `cancel`
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO treeinstruct_coordinator', s);

    -- Monitor: the views (they read the tables with their owner's rights), attempts and workers.
    -- schema_migrations: `treeinstruct status` checks the schema is current before it reads.
    -- attempts: every column but the rejected answer (model text).
    EXECUTE format('GRANT SELECT ON %I.workers, %I.schema_migrations, %I.endpoint_dialects, %I.batches TO treeinstruct_monitor',
                   s, s, s, s);
    EXECUTE format('GRANT SELECT (id, task_id, run_id, attempt, lease_token, worker_id, started_at, finished_at, outcome, code, detail,
                                  http_status, prompt_tokens, completion_tokens, latency_ms, model) ON %I.attempts TO treeinstruct_monitor', s);
    EXECUTE format('GRANT SELECT ON %I.run_progress, %I.shard_progress, %I.failure_reasons, %I.throughput_per_minute,
                                    %I.active_workers, %I.stuck_tasks, %I.backlog, %I.endpoint_status, %I.batch_progress
                    TO treeinstruct_monitor',
                   s, s, s, s, s, s, s, s, s);
END
$roles$;

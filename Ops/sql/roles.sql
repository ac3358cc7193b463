-- Least-privilege roles, run by the schema's owner after `treeinstruct migrate` (and again after
-- each upgrade that adds migrations; it is idempotent):
--   psql "$OWNER_URL" -v ON_ERROR_STOP=1 -f Ops/sql/roles.sql
--   psql "$OWNER_URL" -c '\password treeinstruct_worker'        (likewise the other two)
-- For a schema other than treeinstruct: PGOPTIONS='-c treeinstruct.schema=NAME' psql ...
--
--   treeinstruct_worker       `work`: claim, heartbeat, complete, fail, release, reap, rate budgets,
--                             endpoint health.
--                             Reads run configs; writes tasks, results, attempts, workers. Cannot
--                             delete anything, read results or ingest errors, or change runs.
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
BEGIN
    IF to_regclass(format('%I.tasks', s)) IS NULL THEN
        RAISE EXCEPTION 'schema % has no task store; run `treeinstruct migrate` first', s;
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
    EXECUTE format('GRANT SELECT, INSERT ON %I.tasks TO treeinstruct_worker', s);
    EXECUTE format('GRANT UPDATE (state, attempts, run_after, lease_owner, lease_token, lease_expires_at, claimed_at,
                                  last_error_code, finished_at, instruction, parent_task_id)
                    ON %I.tasks TO treeinstruct_worker', s);
    EXECUTE format('GRANT INSERT ON %I.results, %I.attempts TO treeinstruct_worker', s, s);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I.workers, %I.rate_budgets, %I.endpoint_health TO treeinstruct_worker', s, s, s);
    EXECUTE format('GRANT USAGE ON SEQUENCE %I.lease_tokens TO treeinstruct_worker', s);

    -- Coordinator.
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO treeinstruct_coordinator', s);
    EXECUTE format('GRANT INSERT, UPDATE ON %I.runs, %I.shards, %I.tasks, %I.ingest_errors TO treeinstruct_coordinator', s, s, s, s);
    EXECUTE format('GRANT DELETE ON %I.results TO treeinstruct_coordinator', s);  -- `rerun --all` discards results
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO treeinstruct_coordinator', s);

    -- Monitor: the views (they read the tables with their owner's rights), attempts and workers.
    -- schema_migrations: `treeinstruct status` checks the schema is current before it reads.
    EXECUTE format('GRANT SELECT ON %I.attempts, %I.workers, %I.schema_migrations TO treeinstruct_monitor', s, s, s);
    EXECUTE format('GRANT SELECT ON %I.run_progress, %I.shard_progress, %I.failure_reasons, %I.throughput_per_minute,
                                    %I.active_workers, %I.stuck_tasks, %I.backlog, %I.endpoint_status TO treeinstruct_monitor',
                   s, s, s, s, s, s, s, s);
END
$roles$;

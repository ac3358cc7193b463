-- The structured-output dialect each endpoint accepted (issue 18), per model, found by the
-- first worker that asked (json_schema, then json_object with the schema, then the prompt
-- alone) and used at once by every worker started after it. `endpoint` is the base URL without
-- credentials or query. Delete a row to have the next worker find out again (after a server
-- upgrade, say); `--dialect` on a worker overrides it.
CREATE TABLE endpoint_dialects (
    endpoint   text NOT NULL,
    model      text NOT NULL,
    dialect    text NOT NULL CHECK (dialect IN ('json_schema', 'json_object', 'prompt')),
    -- What the endpoint answered to the forms tried before this one; NULL when the first was accepted.
    refused    text,
    chosen_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (endpoint, model)
);

-- Workers find and record it; the monitor may read it (Ops/sql/roles.sql grants the same when
-- it is re-run).
DO $grant$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'treeinstruct_worker') THEN
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I.endpoint_dialects TO treeinstruct_worker', current_schema());
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'treeinstruct_monitor') THEN
        EXECUTE format('GRANT SELECT ON %I.endpoint_dialects TO treeinstruct_monitor', current_schema());
    END IF;
END
$grant$;

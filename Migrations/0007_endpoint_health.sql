-- Endpoint health shared by the cluster (issue 13), one row per endpoint key (the rate budget's
-- key: the base URL unless TREEINSTRUCT_RATE_KEY says otherwise). Every worker on every machine
-- reads it before claiming, so all stop together when the endpoint is down or out of quota,
-- one probe at a time finds out when it answers again, and all resume together.
--
-- state: up; down (faults in a row with no answer between them reached the threshold); quota
-- (the provider says the money ran out). faults counts endpoint faults since the last answer.
-- next_probe_at paces the probes: a worker takes the probe by moving it forward, so at most one
-- probe runs per interval whatever the number of workers.
CREATE TABLE endpoint_health (
    key            text PRIMARY KEY,
    state          text NOT NULL DEFAULT 'up' CHECK (state IN ('up', 'down', 'quota')),
    since          timestamptz NOT NULL DEFAULT now(),
    faults         integer NOT NULL DEFAULT 0 CHECK (faults >= 0),
    last_error     text,
    last_fault_at  timestamptz,
    next_probe_at  timestamptz NOT NULL DEFAULT '-infinity',
    probes         bigint NOT NULL DEFAULT 0,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- For operators and `treeinstruct status`: how long each endpoint has been in its state, and
-- how many tasks wait for it (all pending tasks: a worker serves every run it is given).
CREATE VIEW endpoint_status AS
SELECT h.key,
       h.state,
       h.since,
       date_trunc('second', now() - h.since) AS state_for,
       h.faults,
       h.last_error,
       h.last_fault_at,
       CASE WHEN h.state = 'up' THEN NULL ELSE greatest(h.next_probe_at, now()) END AS next_probe_at,
       h.probes,
       (SELECT count(*) FROM tasks t WHERE t.state = 'pending') AS tasks_waiting
FROM endpoint_health h;

-- Limits the provider states in x-ratelimit-limit-* below the configured ones: the cluster's
-- limit until the provider states otherwise (issue 13).
ALTER TABLE rate_budgets
    ADD COLUMN stated_requests_per_minute double precision CHECK (stated_requests_per_minute > 0),
    ADD COLUMN stated_tokens_per_minute   double precision CHECK (stated_tokens_per_minute > 0),
    ADD COLUMN stated_at                  timestamptz;

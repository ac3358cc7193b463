-- Honest progress (issue 11): rates over the time actually observed, failed and cancelled
-- work never counted as done, and a state per run and shard.
--
-- runs.resumed_at marks the last `rerun`: a rate measured across the idle time before it would
-- be far too low. Views are replaced in place (same leading columns, new ones appended), so the
-- grants of Ops/sql/roles.sql stay.

ALTER TABLE runs ADD COLUMN resumed_at timestamptz;

-- Per run. percent_done: source rows whose last stage succeeded (failed and cancelled rows are
-- counted apart, never as done). rows_finished: rows that reached an end of any kind.
-- tasks_per_minute: tasks finished since the first claim of the observed window (the last
-- 5 minutes, or since the last rerun if later), over that span; NULL when nothing is left to do
-- or the run is cancelled. eta: the remaining tasks at that rate.
CREATE OR REPLACE VIEW run_progress AS
WITH windows AS (
    SELECT id AS run_id, greatest(now() - interval '5 minutes', coalesce(resumed_at, '-infinity')) AS floor
    FROM runs
), counts AS (
    SELECT t.run_id,
           count(*)                                                            AS tasks,
           count(*) FILTER (WHERE t.state = 'pending')                         AS pending,
           count(*) FILTER (WHERE t.state = 'running')                         AS running,
           count(*) FILTER (WHERE t.state = 'succeeded')                       AS succeeded,
           count(*) FILTER (WHERE t.state = 'failed')                          AS failed,
           count(*) FILTER (WHERE t.state = 'cancelled')                       AS cancelled,
           count(*) FILTER (WHERE t.stage = 'rewrite' AND t.round = 1)         AS source_rows,
           count(*) FILTER (WHERE t.state = 'succeeded' AND t.stages_left = 1) AS rows_succeeded,
           coalesce(sum(t.stages_left) FILTER (WHERE t.state IN ('pending', 'running')), 0) AS tasks_remaining,
           count(*) FILTER (WHERE t.finished_at > w.floor)                     AS finished_in_window,
           greatest(w.floor, min(t.claimed_at) FILTER (WHERE t.finished_at > w.floor OR t.state = 'running'))
                                                                               AS observed_since
    FROM tasks t
    JOIN windows w ON w.run_id = t.run_id
    GROUP BY t.run_id, w.floor
), rates AS (
    SELECT run_id,
           CASE WHEN extract(epoch FROM now() - observed_since) >= 1
                THEN finished_in_window * 60.0 / extract(epoch FROM now() - observed_since) END AS per_minute,
           extract(epoch FROM now() - observed_since) AS observed_seconds
    FROM counts
)
SELECT r.id AS run_id,
       r.name AS run,
       coalesce(c.source_rows, 0)       AS source_rows,
       coalesce(c.tasks, 0)             AS tasks,
       coalesce(c.pending, 0)           AS pending,
       coalesce(c.running, 0)           AS running,
       coalesce(c.succeeded, 0)         AS succeeded,
       coalesce(c.failed, 0)            AS failed,
       coalesce(c.cancelled, 0)         AS cancelled,
       coalesce(c.rows_succeeded + c.failed + c.cancelled, 0) AS rows_finished,
       CASE WHEN coalesce(c.source_rows, 0) = 0 THEN 0
            ELSE round(100.0 * c.rows_succeeded / c.source_rows, 2) END AS percent_done,
       CASE WHEN r.cancelled_at IS NULL AND coalesce(c.tasks_remaining, 0) > 0
            THEN round(coalesce(rt.per_minute, 0), 2) END AS tasks_per_minute,
       coalesce(c.tasks_remaining, 0)   AS tasks_remaining,
       CASE WHEN coalesce(c.tasks_remaining, 0) = 0 THEN interval '0'
            WHEN r.cancelled_at IS NOT NULL OR coalesce(rt.per_minute, 0) = 0 THEN NULL
            ELSE make_interval(secs => c.tasks_remaining * 60.0 / rt.per_minute) END AS eta,
       r.cancelled_at IS NOT NULL AS cancelled_run,
       coalesce(c.rows_succeeded, 0)    AS rows_succeeded,
       coalesce(c.failed, 0)            AS rows_failed,
       coalesce(c.cancelled, 0)         AS rows_cancelled,
       CASE WHEN r.cancelled_at IS NOT NULL THEN 'cancelled'
            WHEN coalesce(c.tasks, 0) = 0 THEN 'empty'
            WHEN c.pending + c.running > 0 THEN 'in_progress'
            WHEN c.failed > 0 OR c.cancelled > 0 THEN 'ended_with_failures'
            ELSE 'done' END AS state,
       round(rt.observed_seconds::numeric, 1) AS rate_observed_seconds
FROM runs r
LEFT JOIN counts c ON c.run_id = r.id
LEFT JOIN rates rt ON rt.run_id = r.id;

-- Per shard, by source rows as run_progress counts them.
CREATE OR REPLACE VIEW shard_progress AS
SELECT s.run_id,
       r.name AS run,
       s.id AS shard_id,
       s.ordinal,
       s.source_file,
       s.first_line,
       s.last_line,
       count(t.id)                                        AS tasks,
       count(t.id) FILTER (WHERE t.state = 'pending')     AS pending,
       count(t.id) FILTER (WHERE t.state = 'running')     AS running,
       count(t.id) FILTER (WHERE t.state = 'succeeded')   AS succeeded,
       count(t.id) FILTER (WHERE t.state = 'failed')      AS failed,
       count(t.id) FILTER (WHERE t.state = 'cancelled')   AS cancelled,
       CASE WHEN count(t.id) FILTER (WHERE t.stage = 'rewrite' AND t.round = 1) = 0 THEN 0
            ELSE round(100.0 * count(t.id) FILTER (WHERE t.state = 'succeeded' AND t.stages_left = 1)
                       / count(t.id) FILTER (WHERE t.stage = 'rewrite' AND t.round = 1), 2)
       END AS percent_done,
       count(t.id) FILTER (WHERE t.stage = 'rewrite' AND t.round = 1)             AS source_rows,
       count(t.id) FILTER (WHERE t.state = 'succeeded' AND t.stages_left = 1)     AS rows_succeeded,
       CASE WHEN r.cancelled_at IS NOT NULL THEN 'cancelled'
            WHEN count(t.id) FILTER (WHERE t.state IN ('pending', 'running')) > 0 THEN 'in_progress'
            WHEN count(t.id) FILTER (WHERE t.state IN ('failed', 'cancelled')) > 0 THEN 'ended_with_failures'
            ELSE 'done' END AS state
FROM shards s
JOIN runs r ON r.id = s.run_id
LEFT JOIN tasks t ON t.shard_id = s.id
GROUP BY s.run_id, r.name, r.cancelled_at, s.id, s.ordinal, s.source_file, s.first_line, s.last_line;

-- Views for watching runs with plain SQL (documented in README.md, "Watching with SQL").

-- Totals by state, share of source rows finished, recent rate and ETA, per run.
CREATE VIEW run_progress AS
WITH counts AS (
    SELECT run_id,
           count(*)                                            AS tasks,
           count(*) FILTER (WHERE state = 'pending')           AS pending,
           count(*) FILTER (WHERE state = 'running')           AS running,
           count(*) FILTER (WHERE state = 'succeeded')         AS succeeded,
           count(*) FILTER (WHERE state = 'failed')            AS failed,
           count(*) FILTER (WHERE state = 'cancelled')         AS cancelled,
           count(*) FILTER (WHERE stage = 'rewrite' AND round = 1) AS source_rows,
           count(*) FILTER (WHERE (state = 'succeeded' AND stages_left = 1) OR state IN ('failed', 'cancelled'))
                                                               AS rows_finished,
           coalesce(sum(stages_left) FILTER (WHERE state IN ('pending', 'running')), 0) AS tasks_remaining,
           count(*) FILTER (WHERE finished_at > now() - interval '5 minutes') AS finished_last_5m
    FROM tasks
    GROUP BY run_id
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
       coalesce(c.rows_finished, 0)     AS rows_finished,
       CASE WHEN coalesce(c.source_rows, 0) = 0 THEN 0
            ELSE round(100.0 * c.rows_finished / c.source_rows, 2) END AS percent_done,
       round(coalesce(c.finished_last_5m, 0) / 5.0, 2) AS tasks_per_minute,
       coalesce(c.tasks_remaining, 0)   AS tasks_remaining,
       CASE WHEN coalesce(c.tasks_remaining, 0) = 0 THEN interval '0'
            WHEN coalesce(c.finished_last_5m, 0) = 0 THEN NULL
            ELSE make_interval(secs => c.tasks_remaining * 300.0 / c.finished_last_5m) END AS eta,
       r.cancelled_at IS NOT NULL AS cancelled_run
FROM runs r
LEFT JOIN counts c ON c.run_id = r.id;

-- The same per shard, for finding the slow or broken slices.
CREATE VIEW shard_progress AS
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
       CASE WHEN count(t.id) = 0 THEN 0
            ELSE round(100.0 * count(t.id) FILTER (WHERE t.state IN ('succeeded', 'failed', 'cancelled')) / count(t.id), 2)
       END AS percent_done
FROM shards s
JOIN runs r ON r.id = s.run_id
LEFT JOIN tasks t ON t.shard_id = s.id
GROUP BY s.run_id, r.name, s.id, s.ordinal, s.source_file, s.first_line, s.last_line;

-- Why attempts did not succeed: count per code, with one recent example.
CREATE VIEW failure_reasons AS
SELECT a.run_id,
       r.name AS run,
       a.outcome,
       a.code,
       count(*) AS attempts,
       count(DISTINCT a.task_id) AS tasks,
       (array_agg(a.detail ORDER BY a.id DESC))[1] AS example,
       (array_agg(a.task_id ORDER BY a.id DESC))[1] AS example_task_id,
       max(a.finished_at) AS last_seen
FROM attempts a
JOIN runs r ON r.id = a.run_id
WHERE a.outcome <> 'succeeded'
GROUP BY a.run_id, r.name, a.outcome, a.code;

-- Finished attempts per minute, with tokens, for graphs and rate checks.
CREATE VIEW throughput_per_minute AS
SELECT a.run_id,
       r.name AS run,
       date_trunc('minute', a.finished_at) AS minute,
       count(*) FILTER (WHERE a.outcome = 'succeeded') AS succeeded,
       count(*) FILTER (WHERE a.outcome <> 'succeeded') AS not_succeeded,
       coalesce(sum(a.prompt_tokens), 0) AS prompt_tokens,
       coalesce(sum(a.completion_tokens), 0) AS completion_tokens
FROM attempts a
JOIN runs r ON r.id = a.run_id
GROUP BY a.run_id, r.name, date_trunc('minute', a.finished_at);

-- Workers heard from in the last minute, with what they hold and have done lately.
CREATE VIEW active_workers AS
SELECT w.id AS worker_id,
       w.host,
       w.pid,
       w.version,
       w.concurrency,
       w.started_at,
       w.last_heartbeat,
       (SELECT count(*) FROM tasks t WHERE t.state = 'running' AND t.lease_owner = w.id) AS running_tasks,
       (SELECT count(*) FROM attempts a
         WHERE a.worker_id = w.id AND a.outcome = 'succeeded' AND a.finished_at > now() - interval '5 minutes') AS succeeded_last_5m
FROM workers w
WHERE w.stopped_at IS NULL AND w.last_heartbeat > now() - interval '1 minute';

-- Running tasks whose lease has run out (a worker died) or that have run for over 15 minutes.
CREATE VIEW stuck_tasks AS
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
  AND (t.lease_expires_at < now() OR t.claimed_at < now() - interval '15 minutes');

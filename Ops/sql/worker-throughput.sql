-- Each worker's output over the last hour and the last 5 minutes, its latency and tokens,
-- and how long since its last heartbeat.
--   psql "$DATABASE_URL" -f Ops/sql/worker-throughput.sql
\ir _schema.psql
SELECT w.id AS worker, w.host, w.pid, w.concurrency,
       now() - w.last_heartbeat AS since_heartbeat,
       w.stopped_at IS NOT NULL AS stopped,
       count(a.id) FILTER (WHERE a.outcome = 'succeeded')                                          AS succeeded_1h,
       count(a.id) FILTER (WHERE a.outcome = 'succeeded' AND a.finished_at > now() - interval '5 minutes') AS succeeded_5m,
       count(a.id) FILTER (WHERE a.outcome <> 'succeeded')                                         AS other_1h,
       round(avg(a.latency_ms))                                                                     AS avg_latency_ms,
       coalesce(sum(a.prompt_tokens + a.completion_tokens), 0)                                      AS tokens_1h
FROM workers w
LEFT JOIN attempts a ON a.worker_id = w.id AND a.finished_at > now() - interval '1 hour'
WHERE w.stopped_at IS NULL OR w.stopped_at > now() - interval '1 hour'
GROUP BY w.id
ORDER BY succeeded_5m DESC, w.id;

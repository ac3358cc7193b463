-- Shards furthest behind, with their attempt latency and failure counts: where to look first.
--   psql "$DATABASE_URL" -f Ops/sql/slowest-shards.sql
\ir _schema.psql
SELECT sp.run, sp.ordinal AS shard, sp.source_file, sp.first_line, sp.last_line,
       sp.percent_done, sp.pending, sp.running, sp.failed,
       stats.attempts, stats.p50_latency_ms, stats.p95_latency_ms
FROM shard_progress sp
LEFT JOIN LATERAL (
    SELECT count(*) AS attempts,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY a.latency_ms)::int  AS p50_latency_ms,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY a.latency_ms)::int AS p95_latency_ms
    FROM attempts a
    JOIN tasks t ON t.id = a.task_id
    WHERE t.shard_id = sp.shard_id
) stats ON true
WHERE sp.percent_done < 100
ORDER BY sp.percent_done, stats.p95_latency_ms DESC NULLS LAST
LIMIT 20;

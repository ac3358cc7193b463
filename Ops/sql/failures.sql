-- Why tasks fail, per run and code, with how often, when last, and one example to read.
--   psql "$DATABASE_URL" -v run=NAME -f Ops/sql/failures.sql     (all runs without -v run)
\ir _schema.psql
\if :{?run}
\else
  \set run ''
\endif
SELECT r.name AS run,
       a.outcome,
       a.code,
       count(*)                          AS attempts,
       count(DISTINCT a.task_id)         AS tasks,
       max(a.finished_at)                AS last_seen,
       (array_agg(left(coalesce(a.detail, ''), 200) ORDER BY a.finished_at DESC))[1] AS example_detail,
       (array_agg(a.task_id ORDER BY a.finished_at DESC))[1]                       AS example_task
FROM attempts a
JOIN runs r ON r.id = a.run_id
WHERE a.outcome <> 'succeeded'
  AND (:'run' = '' OR r.name = :'run')
GROUP BY r.name, a.outcome, a.code
ORDER BY attempts DESC
LIMIT 50;

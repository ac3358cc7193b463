-- Progress of every run: totals by state, percent of source rows done, rate and ETA.
--   psql "$DATABASE_URL" -f Ops/sql/progress.sql
\ir _schema.psql
SELECT run, source_rows, pending, running, succeeded, failed, cancelled, percent_done, tasks_per_minute, eta
FROM run_progress
ORDER BY run_id;

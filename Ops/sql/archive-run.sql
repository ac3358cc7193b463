-- Archives a finished run: writes its tasks, results and attempts to CSV files in the current
-- directory (on the machine running psql), then deletes the run. Refuses a run with pending or
-- running tasks. Keep the files (or `treeinstruct export --lineage`) before deleting anything.
--   psql "$DATABASE_URL" -v run=NAME -f Ops/sql/archive-run.sql
\set ON_ERROR_STOP on
\ir _schema.psql
\if :{?run}
\else
  \echo 'archive-run.sql: give the run: psql -v run=NAME -f Ops/sql/archive-run.sql'
  \quit
\endif
SELECT id AS run_id FROM runs WHERE name = :'run' \gset
\if :{?run_id}
\else
  \echo 'archive-run.sql: no such run'
  \quit
\endif
SELECT count(*) AS open_tasks FROM tasks WHERE run_id = :run_id AND state IN ('pending', 'running') \gset
SELECT :open_tasks > 0 AS has_open_tasks \gset
\if :has_open_tasks
  \echo 'archive-run.sql: the run still has pending or running tasks; cancel or finish it first'
  \quit
\endif
\set tasks_file :run '.tasks.csv'
\set results_file :run '.results.csv'
\set attempts_file :run '.attempts.csv'
COPY (SELECT * FROM tasks WHERE run_id = :run_id ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER) \g :tasks_file
COPY (SELECT * FROM results WHERE run_id = :run_id ORDER BY task_id) TO STDOUT WITH (FORMAT csv, HEADER) \g :results_file
COPY (SELECT * FROM attempts WHERE run_id = :run_id ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER) \g :attempts_file
BEGIN;
DELETE FROM runs WHERE id = :run_id;  -- shards, tasks, results, attempts and ingest errors cascade
COMMIT;
\echo archived to :tasks_file :results_file :attempts_file

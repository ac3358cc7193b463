-- The viewer (`treeinstruct serve`, issue 16) pages through a run's source rows in file order
-- and through its failed tasks by failure code. Each page is a range of one of these partial
-- indexes, however large the run: a source row is its first task (no parent), and a chain's
-- other tasks share its content hash, which the unique key already finds.
-- Built in the migration's transaction: writes to tasks wait while they build (a few seconds
-- per million tasks), lease renewals included; on a table of tens of millions, stop the workers
-- before `migrate` (Ops/RUNBOOK.md, "Drain and upgrade workers"), or leases may run out and their
-- tasks be taken again.
CREATE INDEX tasks_rows ON tasks (run_id, source_line, id) WHERE parent_task_id IS NULL;
CREATE INDEX tasks_failures ON tasks (run_id, last_error_code, source_line, id) WHERE state = 'failed';

-- Exports keep rows whose chain stopped early (issue 18).
--
-- A source row is a chain of tasks (rewrite rounds 1..R, then the respond stage): each follow-up
-- is created only when its parent succeeds, so the row's furthest task says where it stands.
-- Its chain has ended when that task is the last stage and succeeded, or failed or was
-- cancelled; a pending or running furthest task means the row is still in progress.
--
-- export_rows holds, for each row whose chain ended with something accepted, what an export
-- writes: the last stage's result when the whole chain succeeded (complete), else the result of
-- the failed or cancelled task's parent, the last accepted round, with its own difficulty. A row
-- whose first round failed has no parent and nothing to write; a task parked by `rerun --all`
-- has a parent whose result was discarded, so it joins nothing either. The export's statements
-- (Sources/TaskStore/Results) read this view, so the rule lives here, next to its index.
CREATE VIEW export_rows AS
SELECT e.run_id,
       e.source_line,
       e.id AS last_task_id,
       e.content_hash,
       e.source_id,
       -- A respond result has no new instruction: its task's instruction is the final one.
       coalesce(r.new_instruction, e.instruction) AS instruction,
       e.input,
       r.response,
       r.difficulty,
       e.state = 'succeeded' AS complete
FROM tasks e
JOIN results r ON r.task_id = CASE WHEN e.state = 'succeeded' THEN e.id ELSE e.parent_task_id END
WHERE (e.state = 'succeeded' AND e.stages_left = 1)
   OR (e.state IN ('failed', 'cancelled') AND e.parent_task_id IS NOT NULL);

-- Export pages are keyset ranges of (source_line, id) within a run: this partial index holds
-- exactly the view's ended tasks (its predicate is the view's), so each page is an index range
-- scan however many tasks are in progress. It holds the rows of 0008's tasks_exportable too
-- (complete rows, for `--complete-only`), which it replaces. (Built in the migration's
-- transaction: writes to tasks wait while it builds, a few seconds per million ended rows.)
CREATE INDEX tasks_chain_ends ON tasks (run_id, source_line, id)
    WHERE (state = 'succeeded' AND stages_left = 1)
       OR (state IN ('failed', 'cancelled') AND parent_task_id IS NOT NULL);
DROP INDEX tasks_exportable;

-- Where Ops/sql/roles.sql made a coordinator role, it exports at once after the upgrade
-- (re-running roles.sql, as after every upgrade, grants the same).
DO $grant$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'treeinstruct_coordinator') THEN
        EXECUTE format('GRANT SELECT ON %I.export_rows TO treeinstruct_coordinator', current_schema());
    END IF;
END
$grant$;

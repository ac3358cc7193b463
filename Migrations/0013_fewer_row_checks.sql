-- Fewer per-row checks and index writes on the hot paths (issue 15).
--
-- A task's run is its shard's run, and a result's or an attempt's run is its task's: the
-- foreign keys tasks → runs, results → runs and attempts → runs repeat what tasks → shards and
-- task_id already say, yet each costs a lookup (and a KEY SHARE lock on the runs row, which
-- concurrent writers turn into multixacts) for every row written: 37% of PostgreSQL's time in an
-- ingest, two lookups per completion. tasks → shards goes too: every writer of tasks knows the
-- shard exists (submit creates it in the same transaction, a follow-up copies its parent's, and
-- the worker role writes only through the functions of 0009), and shards are never deleted but
-- with their run. What the keys also did, deleting a run's rows with it, stays: runs → shards
-- still cascades, and the triggers below delete the tasks of deleted shards, and the results
-- and attempts of deleted tasks.

ALTER TABLE tasks DROP CONSTRAINT tasks_run_id_fkey;
ALTER TABLE tasks DROP CONSTRAINT tasks_shard_id_fkey;
ALTER TABLE results DROP CONSTRAINT results_run_id_fkey;
ALTER TABLE attempts DROP CONSTRAINT attempts_run_id_fkey;

-- A result's and an attempt's task: written only by complete_tasks, fail_task and the reaper
-- (0009), each for the task row it has just locked and changed, so the lookup proves nothing,
-- and it cost two per completion. Deleting a task still deletes its result and attempts (the
-- second trigger below); the result's primary key still allows one per task.
ALTER TABLE results DROP CONSTRAINT results_task_id_fkey;
ALTER TABLE attempts DROP CONSTRAINT attempts_task_id_fkey;

CREATE FUNCTION delete_tasks_of_deleted_shards() RETURNS trigger
LANGUAGE plpgsql AS $function$
BEGIN
    DELETE FROM tasks t USING deleted_shards d WHERE t.shard_id = d.id;
    RETURN NULL;
END
$function$;

CREATE TRIGGER shards_take_their_tasks AFTER DELETE ON shards
    REFERENCING OLD TABLE AS deleted_shards
    FOR EACH STATEMENT EXECUTE FUNCTION delete_tasks_of_deleted_shards();

CREATE FUNCTION delete_history_of_deleted_tasks() RETURNS trigger
LANGUAGE plpgsql AS $function$
BEGIN
    DELETE FROM results r USING deleted_tasks d WHERE r.task_id = d.id;
    DELETE FROM attempts a USING deleted_tasks d WHERE a.task_id = d.id;
    RETURN NULL;
END
$function$;

CREATE TRIGGER tasks_take_their_history AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS deleted_tasks
    FOR EACH STATEMENT EXECUTE FUNCTION delete_history_of_deleted_tasks();

DO $pin$
BEGIN
    EXECUTE format('ALTER FUNCTION delete_tasks_of_deleted_shards() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION delete_history_of_deleted_tasks() SET search_path = %I, pg_temp', current_schema());
END
$pin$;

-- Tasks by shard and state: no statement reads it any more (reruns of a shard select by run
-- first, the shard views read whole runs), yet every insert and every state change wrote it.
-- The trigger above finds a deleted shard's tasks without it, in one scan per statement.
DROP INDEX tasks_by_shard;

-- Tasks by run and finish time: the progress views count a run's finished tasks in the same
-- pass that counts its states, which reads every task of the run anyway; no statement reads
-- this index, and every completion, failure and cancel wrote it.
DROP INDEX tasks_finished;

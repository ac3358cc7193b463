-- Data safety (issue 14).
--
-- Exports read finished rows in short keyset pages, (source_line, id) after the last page's
-- end, so no statement streams for the length of the export. This partial index holds only
-- rows whose last stage succeeded, so each page is an index range scan whatever the table's size.
-- (Built in the migration's transaction: writes to tasks wait while it builds, a few seconds
-- per million finished rows.)
CREATE INDEX tasks_exportable ON tasks (run_id, source_line, id) WHERE state = 'succeeded' AND stages_left = 1;

-- A cancelled run has no backlog: its tasks are never claimed again until `rerun`, so an
-- autoscaler must not start workers for them. Same columns as before, so grants stay.
CREATE OR REPLACE VIEW backlog AS
SELECT r.id AS run_id,
       r.name AS run,
       count(*) FILTER (WHERE t.state = 'pending' AND t.run_after <= now()) AS due,
       count(*) FILTER (WHERE t.state = 'pending' AND t.run_after > now())  AS retrying,
       count(*) FILTER (WHERE t.state = 'running')                          AS running,
       min(t.run_after) FILTER (WHERE t.state = 'pending')                  AS oldest_due_since
FROM tasks t
JOIN runs r ON r.id = t.run_id
WHERE t.state IN ('pending', 'running') AND r.cancelled_at IS NULL
GROUP BY r.id, r.name;

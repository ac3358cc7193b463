-- Open work per run, for autoscalers (KEDA's postgresql trigger) and alerts: read through the
-- partial indexes on pending and running tasks, so it stays cheap with millions of finished rows.
CREATE VIEW backlog AS
SELECT r.id AS run_id,
       r.name AS run,
       count(*) FILTER (WHERE t.state = 'pending' AND t.run_after <= now()) AS due,
       count(*) FILTER (WHERE t.state = 'pending' AND t.run_after > now())  AS retrying,
       count(*) FILTER (WHERE t.state = 'running')                          AS running,
       min(t.run_after) FILTER (WHERE t.state = 'pending')                  AS oldest_due_since
FROM tasks t
JOIN runs r ON r.id = t.run_id
WHERE t.state IN ('pending', 'running')
GROUP BY r.id, r.name;

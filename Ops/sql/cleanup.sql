-- Housekeeping, safe while workers run: forget workers stopped or silent for a week and rate
-- budgets unused for a month. Finished runs are archived with archive-run.sql, not here.
--   psql "$DATABASE_URL" -f Ops/sql/cleanup.sql
\ir _schema.psql
BEGIN;
DELETE FROM workers w
WHERE coalesce(w.stopped_at, w.last_heartbeat) < now() - interval '7 days'
  AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.state = 'running' AND t.lease_owner = w.id);
DELETE FROM rate_budgets WHERE updated_at < now() - interval '30 days';
COMMIT;
ANALYZE tasks;
ANALYZE attempt_log;

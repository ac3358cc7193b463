-- Running tasks whose lease has expired (their worker died: the reaper returns them to pending)
-- or that have run far longer than a call should, and the workers that hold them.
--   psql "$DATABASE_URL" -v minutes=10 -f Ops/sql/stuck-leases.sql
\ir _schema.psql
\if :{?minutes}
\else
  \set minutes 10
\endif
SELECT t.id AS task, r.name AS run, t.stage, t.round, t.attempts, t.lease_owner,
       now() - t.claimed_at          AS running_for,
       t.lease_expires_at < now()    AS lease_expired,
       now() - w.last_heartbeat      AS owner_since_heartbeat,
       w.stopped_at IS NOT NULL      AS owner_stopped
FROM tasks t
JOIN runs r ON r.id = t.run_id
LEFT JOIN workers w ON w.id = t.lease_owner
WHERE t.state = 'running'
  AND (t.lease_expires_at < now() OR t.claimed_at < now() - make_interval(mins => :'minutes'::int))
ORDER BY t.claimed_at
LIMIT 100;

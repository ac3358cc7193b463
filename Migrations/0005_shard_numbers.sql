-- Shard numbers are handed out one at a time, each in its own short statement outside the
-- transaction that inserts the shard, so submits inserting several shards at once (from one
-- process or many) neither wait for nor take each other's number. A shard that is rolled back
-- (every row a duplicate) leaves its number unused.
ALTER TABLE runs ADD COLUMN shards_numbered integer NOT NULL DEFAULT 0;

UPDATE runs r
SET shards_numbered = coalesce((SELECT max(s.ordinal) + 1 FROM shards s WHERE s.run_id = r.id), 0);

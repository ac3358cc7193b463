-- The task store: runs, shards, tasks and their results, every attempt, bad input, workers.
-- Applied by `treeinstruct migrate` with search_path set to the configured schema; names here
-- are unqualified on purpose.

CREATE TYPE task_state AS ENUM ('pending', 'running', 'succeeded', 'failed', 'cancelled');
CREATE TYPE task_stage AS ENUM ('rewrite', 'respond');

-- One submitted job: a corpus, a method configuration (K, rounds, respond stage, model, limits).
CREATE TABLE runs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    config        jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    cancelled_at  timestamptz
);

-- The unit users watch and rerun: a contiguous slice of a submitted file.
CREATE TABLE shards (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id       bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    ordinal      integer NOT NULL,
    source_file  text NOT NULL,
    first_line   integer NOT NULL,
    last_line    integer NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (run_id, ordinal)
);

-- Every lease gets a new token: a completion must present the token of the lease it holds.
CREATE SEQUENCE lease_tokens;

-- One LLM call to make: a rewrite round of a source row, or the answer to its final instruction.
CREATE TABLE tasks (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id            bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    shard_id          bigint NOT NULL REFERENCES shards (id) ON DELETE CASCADE,
    parent_task_id    bigint REFERENCES tasks (id) ON DELETE CASCADE,
    content_hash      bytea NOT NULL,
    stage             task_stage NOT NULL,
    round             integer NOT NULL CHECK (round >= 1),
    -- Tasks still to run for this source row, this one included (for progress and ETA).
    stages_left       integer NOT NULL CHECK (stages_left >= 1),
    source_line       integer NOT NULL,
    source_id         text,
    instruction       text NOT NULL,
    input             text NOT NULL DEFAULT '',
    reference_output  text,
    state             task_state NOT NULL DEFAULT 'pending',
    attempts          integer NOT NULL DEFAULT 0,
    max_attempts      integer NOT NULL CHECK (max_attempts >= 1),
    run_after         timestamptz NOT NULL DEFAULT now(),
    lease_owner       text,
    lease_token       bigint,
    lease_expires_at  timestamptz,
    claimed_at        timestamptz,
    last_error_code   text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    UNIQUE (run_id, content_hash, stage, round)
);

-- Claims read only pending rows: these partial indexes stay as small as the backlog, however
-- many finished rows the table holds.
CREATE INDEX tasks_claimable ON tasks (run_after, id) WHERE state = 'pending';
CREATE INDEX tasks_claimable_by_run ON tasks (run_id, run_after, id) WHERE state = 'pending';
CREATE INDEX tasks_leased ON tasks (lease_expires_at) WHERE state = 'running';
CREATE INDEX tasks_by_shard ON tasks (shard_id, state);
CREATE INDEX tasks_finished ON tasks (run_id, finished_at) WHERE finished_at IS NOT NULL;

-- The accepted output of a task, at most one per task.
CREATE TABLE results (
    task_id            bigint PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    run_id             bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    stage              task_stage NOT NULL,
    round              integer NOT NULL,
    -- Nodes added to the source instruction so far: K times the round.
    difficulty         integer NOT NULL,
    new_instruction    text,
    response           text,
    original_tree      jsonb,
    expanded_tree      jsonb,
    added_nodes        jsonb,
    word_count         integer,
    model              text,
    prompt_tokens      integer,
    completion_tokens  integer,
    created_at         timestamptz NOT NULL DEFAULT now()
);

-- One row per try, whatever its end: kept across reruns as the task's history.
CREATE TABLE attempts (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id            bigint NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    run_id             bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    attempt            integer NOT NULL,
    lease_token        bigint NOT NULL,
    worker_id          text NOT NULL,
    started_at         timestamptz NOT NULL,
    finished_at        timestamptz NOT NULL DEFAULT now(),
    -- succeeded | rejected (validation) | error (endpoint) | lost (lease expired) | released | stale
    outcome            text NOT NULL,
    code               text,
    detail             text,
    http_status        integer,
    prompt_tokens      integer,
    completion_tokens  integer,
    latency_ms         integer,
    model              text
);
CREATE INDEX attempts_by_task ON attempts (task_id);
CREATE INDEX attempts_by_run_time ON attempts (run_id, finished_at);

-- Corpus records that could not be read, located for the user.
CREATE TABLE ingest_errors (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id       bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    source_file  text NOT NULL,
    line         integer NOT NULL,
    code         text NOT NULL,
    reason       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (run_id, source_file, line)
);

-- Every worker process that has registered, and its last sign of life.
CREATE TABLE workers (
    id              text PRIMARY KEY,
    host            text NOT NULL,
    pid             integer NOT NULL,
    version         text NOT NULL,
    concurrency     integer NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    last_heartbeat  timestamptz NOT NULL DEFAULT now(),
    stopped_at      timestamptz
);

-- Cluster-wide rate limits: one row per endpoint and model that workers on every machine draw
-- from, so N workers sharing one API key stay within one requests/min and tokens/min budget.
-- Levels are token buckets refilled by the database clock (clock_timestamp()), so clocks of the
-- worker machines never matter.
CREATE TABLE rate_budgets (
    key                  text PRIMARY KEY,
    requests_per_minute  double precision CHECK (requests_per_minute > 0),
    tokens_per_minute    double precision CHECK (tokens_per_minute > 0),
    burst_seconds        double precision NOT NULL CHECK (burst_seconds > 0),
    request_level        double precision NOT NULL DEFAULT 0,
    token_level          double precision NOT NULL DEFAULT 0,
    -- Adaptive share of the configured limits (0.05 to 1): cut on 429s, probed back up on success.
    factor               double precision NOT NULL DEFAULT 1 CHECK (factor > 0 AND factor <= 1),
    -- Nobody is granted anything before this (set from Retry-After after a 429).
    not_before           timestamptz NOT NULL DEFAULT now(),
    last_cut_at          timestamptz NOT NULL DEFAULT '-infinity',
    updated_at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    granted_requests     bigint NOT NULL DEFAULT 0,
    throttled_responses  bigint NOT NULL DEFAULT 0
);

-- Durable background jobs. Scheduling times are Unix milliseconds so one claim query shape serves both
-- providers; created_at/finished_at are for people.
CREATE TABLE jobs (
    id             TEXT    PRIMARY KEY,
    kind           TEXT    NOT NULL,
    payload        TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'dead')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    max_attempts   INTEGER NOT NULL,
    last_error     TEXT    NULL,
    run_after_ms   INTEGER NOT NULL,
    lease_until_ms INTEGER NULL,
    locked_by      TEXT    NULL,
    created_at     TEXT    NOT NULL,
    finished_at    TEXT    NULL
);
CREATE INDEX ix_jobs_due ON jobs (run_after_ms) WHERE status IN ('queued', 'failed');
CREATE INDEX ix_jobs_leased ON jobs (lease_until_ms) WHERE status = 'running';

-- What a job did, recorded in the same transaction that marks it succeeded: at most one row per job.
CREATE TABLE job_effects (
    job_id      TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    summary     TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

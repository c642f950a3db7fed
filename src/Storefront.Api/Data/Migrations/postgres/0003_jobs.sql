-- Durable background jobs. Scheduling times are Unix milliseconds so one claim query shape serves both
-- providers; created_at/finished_at are for people.
CREATE TABLE jobs (
    id             varchar(32)   PRIMARY KEY,
    kind           varchar(50)   NOT NULL,
    payload        text          NOT NULL,
    status         varchar(10)   NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'dead')),
    attempts       integer       NOT NULL DEFAULT 0,
    max_attempts   integer       NOT NULL,
    last_error     varchar(2000) NULL,
    run_after_ms   bigint        NOT NULL,
    lease_until_ms bigint        NULL,
    locked_by      varchar(100)  NULL,
    created_at     timestamptz   NOT NULL,
    finished_at    timestamptz   NULL
);
CREATE INDEX ix_jobs_due ON jobs (run_after_ms) WHERE status IN ('queued', 'failed');
CREATE INDEX ix_jobs_leased ON jobs (lease_until_ms) WHERE status = 'running';

-- What a job did, recorded in the same transaction that marks it succeeded: at most one row per job.
CREATE TABLE job_effects (
    job_id      varchar(32)   PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    kind        varchar(50)   NOT NULL,
    summary     varchar(2000) NOT NULL,
    recorded_at timestamptz   NOT NULL
);

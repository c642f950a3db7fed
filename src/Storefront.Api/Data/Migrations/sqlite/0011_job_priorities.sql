-- Mail for users (welcome, order confirmation, password recovery) is claimed before anything else, bulk (/log) last:
-- 0 = user, 1 = normal, 2 = bulk. Jobs stored before this column existed count as normal.
ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 1;
DROP INDEX ix_jobs_due;
CREATE INDEX ix_jobs_due ON jobs (priority, run_after_ms) WHERE status IN ('queued', 'failed');
-- The per-kind queue depth cap counts a kind's unfinished jobs.
CREATE INDEX ix_jobs_kind_unfinished ON jobs (kind) WHERE status IN ('queued', 'failed', 'running');

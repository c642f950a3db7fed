-- A claim also takes over jobs whose worker died (status running, lease past): this index finds them without reading
-- the finished jobs, which stay for Jobs__RetentionDays.
CREATE INDEX ix_jobs_leases ON jobs (lease_until_ms) WHERE status = 'running';

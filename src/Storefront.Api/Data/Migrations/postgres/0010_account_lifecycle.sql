-- Numbered 0010, leaving 0009 to the roles migration of the parallel issue 32.
-- A token carries the version its user had when it was issued; a password change, a reset or "log out everywhere"
-- increments it, and the user check refuses every token that carries an older one.
ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0;

-- Times are Unix milliseconds, as in jobs: one comparison shape on both providers.
-- Single tokens ended by POST /logout, kept until they would have expired anyway.
CREATE TABLE revoked_tokens (
    jti        varchar(64) PRIMARY KEY,
    user_id    integer     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_ms bigint      NOT NULL
);
CREATE INDEX ix_revoked_tokens_user ON revoked_tokens (user_id);

-- Password recovery: only a hash of the mailed token is stored, so a read of this table resets nobody's password.
CREATE TABLE password_resets (
    token_hash varchar(64) PRIMARY KEY,
    user_id    integer     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_ms bigint      NOT NULL,
    expires_ms bigint      NOT NULL,
    used_ms    bigint      NULL
);
CREATE INDEX ix_password_resets_user ON password_resets (user_id, created_ms);

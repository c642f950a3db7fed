-- Uploaded files (POST /upload): the metadata; the bytes are in the file store under stored_name, a name the server
-- chose. original_name is the client's name, sanitised, kept only to show and to offer when downloading.
CREATE TABLE files (
    id            TEXT    PRIMARY KEY,
    owner_id      INTEGER NOT NULL REFERENCES users (id),
    stored_name   TEXT    NOT NULL UNIQUE,
    original_name TEXT    NOT NULL,
    size          INTEGER NOT NULL CHECK (size >= 0),
    sha256        TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL
);
-- A user's listing (oldest first) and the quota's sum of sizes.
CREATE INDEX ix_files_owner ON files (owner_id, created_at_ms, id, size);

-- Uploaded files (POST /upload): the metadata; the bytes are in the file store under stored_name, a name the server
-- chose. original_name is the client's name, sanitised, kept only to show and to offer when downloading.
CREATE TABLE files (
    id            varchar(32)  PRIMARY KEY,
    owner_id      integer      NOT NULL REFERENCES users (id),
    stored_name   varchar(64)  NOT NULL UNIQUE,
    original_name varchar(255) NOT NULL,
    size          bigint       NOT NULL CHECK (size >= 0),
    sha256        char(64)     NOT NULL,
    content_type  varchar(100) NOT NULL,
    created_at_ms bigint       NOT NULL
);
-- A user's listing (oldest first) and the quota's sum of sizes.
CREATE INDEX ix_files_owner ON files (owner_id, created_at_ms, id) INCLUDE (size);

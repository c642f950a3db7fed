-- Accounts. Uniqueness is on the normalised (lower-case) forms, so "Ann" and "ann" are one user.
CREATE TABLE users (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    username            TEXT NOT NULL,
    normalized_username TEXT NOT NULL UNIQUE,
    email               TEXT NOT NULL,
    normalized_email    TEXT NOT NULL UNIQUE,
    password_hash       TEXT NOT NULL,
    created_at          TEXT NOT NULL
);

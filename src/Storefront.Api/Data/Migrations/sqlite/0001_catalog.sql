-- The catalog: the seed's Item model. Prices are stored as EF Core's SQLite decimal representation (TEXT).
CREATE TABLE items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    price       TEXT    NOT NULL,
    description TEXT    NULL CHECK (description IS NULL OR length(description) <= 2000)
);

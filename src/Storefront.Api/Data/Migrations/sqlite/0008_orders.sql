-- Orders (issue 20). item_stock becomes the stock ledger orders reserve from: in_stock is the units available,
-- version counts every change to it. The CHECK (in_stock >= 0) from 0005 stays the last line of defence.
ALTER TABLE item_stock ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

-- The item's own version: its ETag, compared by If-Match on PUT and DELETE /items/{id}.
ALTER TABLE items ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Money as EF Core's SQLite decimal representation (TEXT), as items.price.
CREATE TABLE orders (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    total        TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    cancelled_at TEXT    NULL
);
-- GET /orders: the caller's orders, newest first, keyset-paged on id.
CREATE INDEX ix_orders_user ON orders (user_id, id);

-- Lines keep the price at the time of the order; no foreign key to items, so deleting an item keeps order history.
CREATE TABLE order_lines (
    order_id   INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    item_id    INTEGER NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity >= 1),
    unit_price TEXT    NOT NULL,
    PRIMARY KEY (order_id, item_id)
);

-- Idempotency-Key of POST /orders, per user: the row is taken first in the ordering transaction and holds the
-- first answer, stored in that same transaction.
CREATE TABLE idempotency_keys (
    user_id       INTEGER NOT NULL,
    key           TEXT    NOT NULL,
    request_hash  TEXT    NOT NULL,
    status_code   INTEGER NULL,
    response      TEXT    NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX ix_idempotency_keys_created ON idempotency_keys (created_at_ms);

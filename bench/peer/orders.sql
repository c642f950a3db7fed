-- Tables of the peer's POST /orders (bench/peer/app.py), in the database of PEER_POSTGRES_DSN, next to `items`.
-- `scripts/bench orders` applies this; the peer does not create them, so its other routes never need DDL rights.
CREATE TABLE IF NOT EXISTS peer_stock (
    item_id   integer PRIMARY KEY,
    available integer NOT NULL  -- no CHECK (available >= 0): the seeds' code has none, and a lost update never goes negative anyway
);
CREATE TABLE IF NOT EXISTS peer_orders (
    id         bigserial PRIMARY KEY,
    total      float8      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS peer_order_lines (
    order_id bigint  NOT NULL REFERENCES peer_orders (id),
    item_id  integer NOT NULL,
    quantity integer NOT NULL,
    price    float8  NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_peer_order_lines_order ON peer_order_lines (order_id);

-- Stock levels the inventory system reports (POST /inventory/events); the live feed (/ws/stock) sends them with
-- the item's price. Not tied to items: the inventory system owns these ids and may report one before the catalog has it.
CREATE TABLE item_stock (
    item_id       integer PRIMARY KEY CHECK (item_id >= 1),
    in_stock      integer NOT NULL CHECK (in_stock >= 0),
    updated_at_ms bigint  NOT NULL
);

-- Inventory events already applied, so a redelivery is refused (409) instead of applied twice. Pruned after
-- Inventory__EventRetentionHours.
CREATE TABLE inventory_events (
    event_id       varchar(200) PRIMARY KEY,
    received_at_ms bigint       NOT NULL
);
CREATE INDEX ix_inventory_events_received ON inventory_events (received_at_ms);

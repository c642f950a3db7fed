-- Stock levels the inventory system reports (POST /inventory/events); the live feed (/ws/stock) sends them with
-- the item's price. Not tied to items: the inventory system owns these ids and may report one before the catalog has it.
CREATE TABLE item_stock (
    item_id       INTEGER PRIMARY KEY CHECK (item_id >= 1),
    in_stock      INTEGER NOT NULL CHECK (in_stock >= 0),
    updated_at_ms INTEGER NOT NULL
);

-- Inventory events already applied, so a redelivery is refused (409) instead of applied twice. Pruned after
-- Inventory__EventRetentionHours.
CREATE TABLE inventory_events (
    event_id       TEXT    PRIMARY KEY,
    received_at_ms INTEGER NOT NULL
);
CREATE INDEX ix_inventory_events_received ON inventory_events (received_at_ms);

-- Logistics and money around an order: which warehouse ships to a region and which courier
-- delivers there (data, not code); stock per warehouse and item with what each order reserved;
-- money collected at the door and refunds, for the couriers' daily settlement.
CREATE TABLE couriers (
  code  text PRIMARY KEY,                -- e.g. 'sf'
  name  text NOT NULL
);

CREATE TABLE warehouses (
  code  text PRIMARY KEY,                -- e.g. 'wh-south'
  name  text NOT NULL
);

-- Where a region's orders ship from and who delivers them. A changed address in another region
-- routes the next booking to that region's courier.
CREATE TABLE region_logistics (
  region     text PRIMARY KEY REFERENCES regions(code),
  warehouse  text NOT NULL REFERENCES warehouses(code),
  courier    text NOT NULL REFERENCES couriers(code)
);

-- One row per warehouse and item. Every unit ever received is free (on_hand), reserved for an
-- order, or shipped: on_hand + reserved + shipped = received, always.
CREATE TABLE stock (
  warehouse  text NOT NULL REFERENCES warehouses(code),
  sku        text NOT NULL,
  on_hand    integer NOT NULL CHECK (on_hand >= 0),
  reserved   integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  shipped    integer NOT NULL DEFAULT 0 CHECK (shipped >= 0),
  received   integer NOT NULL,
  PRIMARY KEY (warehouse, sku),
  CHECK (on_hand + reserved + shipped = received)
);

-- Goods received into a warehouse; the reference (delivery note) makes a repeated receipt count once.
CREATE TABLE stock_receipts (
  reference  text PRIMARY KEY,
  warehouse  text NOT NULL REFERENCES warehouses(code),
  sku        text NOT NULL,
  qty        integer NOT NULL CHECK (qty > 0),
  at         timestamptz NOT NULL DEFAULT now()
);

-- What an order holds: reserved before delivery, shipped when delivered, released when the order
-- is cancelled or fails first. One row per order and item, so a retried step counts once.
CREATE TABLE stock_reservations (
  order_id    text NOT NULL REFERENCES orders(id),
  sku         text NOT NULL,
  warehouse   text NOT NULL REFERENCES warehouses(code),
  qty         integer NOT NULL CHECK (qty > 0),
  state       text NOT NULL CHECK (state IN ('reserved', 'shipped', 'released')),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, sku)
);

-- Money: collected at the door (the delivery's id) or refunded ('<order>-refund').
CREATE TABLE payments (
  id             text PRIMARY KEY,
  order_id       text NOT NULL REFERENCES orders(id),
  kind           text NOT NULL CHECK (kind IN ('collection', 'refund')),
  method         text NOT NULL,         -- cash-on-delivery, deposit
  amount         numeric(10,2) NOT NULL CHECK (amount >= 0),
  courier        text REFERENCES couriers(code),
  at             timestamptz NOT NULL DEFAULT now(),
  business_date  date NOT NULL          -- the settlement day, in China time
);
CREATE INDEX payments_courier_day_idx ON payments(courier, business_date);
CREATE INDEX payments_order_idx ON payments(order_id);

ALTER TABLE deliveries ADD COLUMN courier text REFERENCES couriers(code);
-- 'delivery', or 'return' for a pickup after a cancellation
ALTER TABLE deliveries ADD COLUMN kind text NOT NULL DEFAULT 'delivery';
ALTER TABLE deliveries ADD COLUMN collect_amount numeric(10,2);

-- Orders from other channels (the API) and follow-on orders sold on a follow-up call have no lead
-- of their own; the outbound order stays unique per lead.
ALTER TABLE orders ALTER COLUMN lead_id DROP NOT NULL;
ALTER TABLE orders ALTER COLUMN campaign_id DROP NOT NULL;
ALTER TABLE orders DROP CONSTRAINT orders_lead_id_key;
ALTER TABLE orders ADD COLUMN channel text NOT NULL DEFAULT 'outbound'; -- outbound, api, followup
CREATE UNIQUE INDEX orders_outbound_lead_idx ON orders(lead_id) WHERE channel = 'outbound';
ALTER TABLE orders ADD COLUMN parent_order_id text REFERENCES orders(id);
ALTER TABLE orders ADD COLUMN idempotency_key text UNIQUE;
ALTER TABLE orders ADD COLUMN request_hash text;
ALTER TABLE orders ADD COLUMN courier text REFERENCES couriers(code);
ALTER TABLE orders ADD COLUMN warehouse text REFERENCES warehouses(code);
-- why a held order waits: 'delivery-failed' (a scheduler decides) or 'out-of-stock'
ALTER TABLE orders ADD COLUMN hold_reason text;

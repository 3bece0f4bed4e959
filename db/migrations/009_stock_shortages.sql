-- What an order held out of stock waits for: per order and item, at which warehouse, how many, and
-- since when. The warehouse's view of its backorders (GET /stock/shortages): what to restock first.
-- A row lives while the order waits; reserving or releasing the order's stock removes it.
CREATE TABLE stock_shortages (
  order_id   text NOT NULL REFERENCES orders(id),
  sku        text NOT NULL,
  warehouse  text NOT NULL REFERENCES warehouses(code),
  wanted     integer NOT NULL CHECK (wanted > 0),
  since      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, sku)
);
CREATE INDEX stock_shortages_item_idx ON stock_shortages (warehouse, sku);

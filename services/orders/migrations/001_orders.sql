-- Every order taken, priced by the catalog when it was placed. Prices are in cents.
CREATE TABLE orders (
  id uuid PRIMARY KEY,
  product_id text NOT NULL,
  quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 100),
  unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
  total_cents integer NOT NULL CHECK (total_cents >= 0),
  placed_at timestamptz NOT NULL DEFAULT now()
);

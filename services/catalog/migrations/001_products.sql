-- The catalogue's products, and the three it starts with. Prices are in cents, to keep sums exact.
CREATE TABLE products (
  id text PRIMARY KEY,
  name text NOT NULL,
  price_cents integer NOT NULL CHECK (price_cents >= 0)
);

INSERT INTO products (id, name, price_cents) VALUES
  ('cup', 'Espresso cup', 900),
  ('grinder', 'Hand grinder', 5900),
  ('beans', 'Beans, 250 g', 1250);

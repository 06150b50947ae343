-- Up Migration
CREATE TABLE ledger (id serial PRIMARY KEY, entry text NOT NULL);

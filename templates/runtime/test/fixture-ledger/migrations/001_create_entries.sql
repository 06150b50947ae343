-- Up Migration
CREATE TABLE entries (id serial PRIMARY KEY, entry text NOT NULL);
INSERT INTO entries (entry) VALUES ('opening balance');

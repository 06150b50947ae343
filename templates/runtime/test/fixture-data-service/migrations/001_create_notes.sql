-- Up Migration
CREATE TABLE notes (id serial PRIMARY KEY, text text NOT NULL);
INSERT INTO notes (text) VALUES ('seeded by a migration');

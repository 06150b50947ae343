-- Up Migration
-- Not idempotent on purpose: applied twice, it would leave two rows.
INSERT INTO ledger (entry) VALUES ('opening balance');

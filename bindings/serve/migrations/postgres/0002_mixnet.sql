-- ostracon-serve schema, version 2 (PostgreSQL): the trustees' mixnet items.
-- `mix` (record tag 8: one shuffle of a ranked or write-in contest) and
-- `mix_decryption` (tag 9: a trustee's partial decryption of a contest's final list),
-- in the order they were imported, which is the order the record lists them in.
CREATE TABLE mixnet (
    seq     BIGSERIAL PRIMARY KEY,
    tag     INTEGER NOT NULL CHECK (tag IN (8, 9)),
    contest BIGINT NOT NULL,    -- index of the contest in the manifest
    payload BYTEA NOT NULL      -- the item's frame payload in the record's binary encoding
);
ALTER TABLE mixnet ALTER COLUMN payload SET STORAGE EXTERNAL;

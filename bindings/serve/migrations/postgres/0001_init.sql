-- ostracon-serve schema, version 1 (PostgreSQL). The same tables as the SQLite schema.
-- The board: one row per entry, in board order. `payload` is the entry's frame payload
-- in the record's binary encoding (position, entry data, ballot, head), so the record is
-- exported without re-encoding; the other columns serve look-ups, restarts and the
-- writers catching up with each other.
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,   -- 'header', 'voters', 'closed', 'tally', 'results'
    value BYTEA NOT NULL      -- the item's frame payload in the record's binary encoding
);

CREATE TABLE entries (
    position      BIGINT PRIMARY KEY CHECK (position >= 0),
    tracking_code BYTEA NOT NULL UNIQUE,
    ballot_id     TEXT NOT NULL UNIQUE,
    voter         TEXT,
    kind          BYTEA NOT NULL,   -- EntryKind::to_bytes
    head          BYTEA NOT NULL,
    payload       BYTEA NOT NULL
);
-- Ballots are random-looking bytes: store them out of line without trying to compress.
ALTER TABLE entries ALTER COLUMN payload SET STORAGE EXTERNAL;
CREATE INDEX entries_voter ON entries (voter) WHERE voter IS NOT NULL;

CREATE TABLE decryptions (
    trustee BIGINT PRIMARY KEY,
    payload BYTEA NOT NULL      -- the partial decryption's canonical bytes
);

-- ostracon-serve schema, version 1 (SQLite).
-- The board: one row per entry, in board order. `payload` is the entry's frame payload
-- in the record's binary encoding (position, entry data, ballot, head), so the record is
-- exported without re-encoding; the other columns serve look-ups and restarts.
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,   -- 'header', 'voters', 'closed', 'tally', 'results'
    value BLOB NOT NULL       -- the item's frame payload in the record's binary encoding
);

CREATE TABLE entries (
    position      INTEGER PRIMARY KEY,
    tracking_code BLOB NOT NULL UNIQUE,
    ballot_id     TEXT NOT NULL UNIQUE,
    voter         TEXT,
    kind          BLOB NOT NULL,   -- EntryKind::to_bytes
    head          BLOB NOT NULL,
    payload       BLOB NOT NULL
);
CREATE INDEX entries_voter ON entries (voter) WHERE voter IS NOT NULL;

CREATE TABLE decryptions (
    trustee INTEGER PRIMARY KEY,
    payload BLOB NOT NULL        -- the partial decryption's canonical bytes
);

-- Migration 7: several machines kept in step through a shared folder (issue 20). Never edited
-- once released; later changes are new numbered migrations.
--
-- The folder holds events (src/sync/, docs/sync.md); these tables are what a collection
-- remembers of it. Nothing here is read by the review, the statistics or the formats, except
-- `notes.seed` (the fuzz) and `reviews.gid` (an answer's global id).

-- The number a note's cards draw their fuzz from: NULL is the note's own id. A note that came
-- from, or also exists on, another device takes the seed of the device that added it first,
-- so every device replays its cards to the same intervals.
ALTER TABLE notes ADD COLUMN seed INTEGER;

-- An answer's global id, `<device>-<seq>` of the event that carries it; NULL until the answer
-- is published. `order_ms` is the time the merge orders it by (its device's clock, never
-- earlier than that device's previous event); NULL: `reviewed_at`.
ALTER TABLE reviews ADD COLUMN gid TEXT;
ALTER TABLE reviews ADD COLUMN order_ms INTEGER;
CREATE UNIQUE INDEX reviews_gid ON reviews(gid) WHERE gid IS NOT NULL;

-- This collection in the folder: its device id, the folder, the next event number, the
-- highest review id already looked at for publishing, and when it last synced.
CREATE TABLE sync_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    device        TEXT    NOT NULL,
    instance      TEXT    NOT NULL,
    dir           TEXT    NOT NULL,
    next_seq      INTEGER NOT NULL CHECK (next_seq >= 1),
    last_order_ms INTEGER NOT NULL DEFAULT 0,  -- the order time of our latest event
    published_review_id INTEGER NOT NULL DEFAULT 0,
    last_sync_ms  INTEGER                      -- unix milliseconds of the last completed sync
) STRICT;

-- Events made in a committed transaction but perhaps not yet in our segment file: written
-- there on the next sync (the file is checked for the highest sequence it holds first).
CREATE TABLE sync_outbox (
    seq  INTEGER PRIMARY KEY,
    line BLOB    NOT NULL
) STRICT;

-- How far we have read each other device, and what we know of it.
CREATE TABLE sync_peers (
    device        TEXT    PRIMARY KEY,
    cursor        TEXT    NOT NULL,            -- JSON: sync::segment::Cursor
    last_seq      INTEGER NOT NULL DEFAULT 0,
    last_order_ms INTEGER NOT NULL DEFAULT 0,  -- the order time of its latest event read
    last_at_ms    INTEGER,                     -- its clock at its latest event read
    seen_ms       INTEGER,                     -- our clock when we last read something new
    events        INTEGER NOT NULL DEFAULT 0   -- events read from it so far
) STRICT;

-- Every note the folder knows, by global id: its note here (NULL once deleted), and each
-- field's value with the stamp (order time, device, seq) of the event that set it, as a
-- JSON object {field: [value, order_ms, device, seq]}. `add_*` is the earliest note_add seen
-- (its seed wins); `deleted_*` the tombstone.
CREATE TABLE sync_notes (
    gid           TEXT    PRIMARY KEY,
    note_id       INTEGER UNIQUE,
    deck          TEXT    NOT NULL,
    notetype      TEXT    NOT NULL,
    fields        TEXT    NOT NULL,
    seed          INTEGER NOT NULL,
    add_order_ms  INTEGER NOT NULL,
    add_device    TEXT    NOT NULL,
    add_seq       INTEGER NOT NULL,
    deleted_order_ms INTEGER,
    deleted_device   TEXT,
    deleted_seq      INTEGER,
    synced        INTEGER NOT NULL DEFAULT 0   -- 1: the note is as the folder knows it
) STRICT;
-- A note written here (an edit, an import) is no longer as the folder knows it: the next sync
-- compares it and publishes what changed. Inserts need no trigger (a new note has no record).
CREATE TRIGGER notes_sync_changed
AFTER UPDATE OF term, definition, example, aliases, tags, related, source, guid, fields, cards,
                card_span ON notes
BEGIN
    UPDATE sync_notes SET synced = 0 WHERE note_id = NEW.id;
END;
-- Records let go of by `jargon delete`, whose deletion is still to be published.
CREATE INDEX sync_notes_gone ON sync_notes(gid) WHERE note_id IS NULL AND deleted_order_ms IS NULL;

-- A card's suspension and burial as last published or merged, with their stamps (JSON
-- [order_ms, device, seq]).
CREATE TABLE sync_cards (
    gid        TEXT    NOT NULL,
    ord        INTEGER NOT NULL,
    suspended  INTEGER NOT NULL DEFAULT 0,
    suspend_stamp TEXT,
    buried_day INTEGER,
    bury_stamp TEXT,
    PRIMARY KEY (gid, ord)
) STRICT;

-- The settings that travel, as last published or merged, with their stamps.
CREATE TABLE sync_settings (
    key      TEXT    PRIMARY KEY,
    value    TEXT    NOT NULL,
    order_ms INTEGER NOT NULL,
    device   TEXT    NOT NULL,
    seq      INTEGER NOT NULL
) STRICT;

-- A field value that lost to a later one (last writer wins by time, then device): kept.
CREATE TABLE note_history (
    id         INTEGER PRIMARY KEY,
    note_gid   TEXT    NOT NULL,
    field      TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    order_ms   INTEGER NOT NULL,
    device     TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    replaced_at INTEGER NOT NULL               -- unix milliseconds, our clock
) STRICT;
CREATE INDEX note_history_note ON note_history(note_gid);

-- The answers of deleted notes, kept (an answer is never lost): the answer event's JSON, by
-- global id (NULL for answers never published).
CREATE TABLE deleted_answers (
    id       INTEGER PRIMARY KEY,
    gid      TEXT    UNIQUE,
    note     TEXT    NOT NULL,                 -- the note's global id, or deck/key
    body     TEXT    NOT NULL
) STRICT;

-- Events of another device that need what has not arrived yet (an answer or edit for a note
-- whose note_add is in a segment still being copied): applied when it comes.
CREATE TABLE sync_parked (
    device TEXT    NOT NULL,
    seq    INTEGER NOT NULL,
    note   TEXT    NOT NULL,
    line   BLOB    NOT NULL,
    PRIMARY KEY (device, seq)
) STRICT;
CREATE INDEX sync_parked_note ON sync_parked(note);

-- Deleting a note (a tombstone from another device, `jargon delete`) makes SQLite check that
-- no card state points at it: without this index, a scan of card_states per note.
CREATE INDEX card_states_note ON card_states(note_id);

-- The few notes whose cards draw their fuzz from another number (read whole by `check`, the
-- switch and the merge's replay).
CREATE INDEX notes_seeded ON notes(id) WHERE seed IS NOT NULL;

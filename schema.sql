-- The jargon collection schema as it stands (version 7), applied whole to a new collection.
-- Existing collections reach the same schema through the numbered migrations in
-- src/store/migrations/ (001-initial.sql to 007-sync.sql); a test checks that both
-- paths give the same tables, columns, indexes, views and triggers. Change the schema with a new
-- migration, then bring this file up to date with it.
--
-- CHECK constraints list their values as OR chains: an IN list makes SQLite build a
-- temporary table for every row inserted, which cost a quarter of a large import.
--
-- Every note has a type (`notetypes`: ours, `vocab`, Anki's stock types, or an Anki note type
-- kept whole) and one card per ordinal set in `notes.cards` (vocab: 0 forward, 1 reverse;
-- others: the template's ordinal, or the cloze number - 1). A card gets its own row in
-- card_states only once it leaves its untouched new state (answered, suspended or buried);
-- until then its note describes it completely, so an import of 100,000 notes writes 100,000
-- rows, not 300,000. A card's id is its note's id * 64 + its ordinal, known before the card has
-- a row. The view `cards` shows every card with the defaults filled in. notes.fresh has bit
-- 1 << ord set while that card is new, kept by triggers; the partial index on it is the queue
-- of new cards.

CREATE TABLE decks (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,      -- '::' separates sub-decks, as in Anki
    description TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL              -- unix seconds
) STRICT;

CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    deck_id     INTEGER NOT NULL REFERENCES decks(id),
    notetype_id INTEGER NOT NULL DEFAULT 1 REFERENCES notetypes(id),
    key         TEXT    NOT NULL,             -- explicit id or slug of the term; unique in its deck
    guid        TEXT,                         -- Anki's note guid, when the note came from Anki
    term        TEXT    NOT NULL,
    definition  TEXT    NOT NULL,
    example     TEXT    NOT NULL DEFAULT '',
    aliases     TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
    tags        TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
    related     TEXT    NOT NULL DEFAULT '[]', -- JSON array of note keys
    source      TEXT    NOT NULL DEFAULT '',
    fields      TEXT,                         -- JSON list of the fields (not vocab: NULL)
    created_at  INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    cards       INTEGER NOT NULL DEFAULT 3,   -- bit 1 << ord per card the note has
    card_span   INTEGER NOT NULL DEFAULT 2,   -- highest ord + 1
    fresh       INTEGER NOT NULL DEFAULT 3,   -- bit 1 << ord per card still new
    seed        INTEGER,                      -- fuzz seed of its cards (NULL: id); see 007-sync.sql
    CHECK (card_span >= 1 AND card_span <= 64),
    CHECK (cards != 0 AND (cards >> (card_span - 1)) & 1 = 1
           AND (card_span = 64 OR cards >> card_span = 0)),
    CHECK (fresh & ~cards = 0)
) STRICT;
-- A key is unique in its deck. A named index rather than a table constraint: a large import
-- into a small collection drops it and builds it again after (src/store/import.rs).
CREATE UNIQUE INDEX notes_deck_key ON notes(deck_id, key);
CREATE INDEX notes_guid ON notes(guid) WHERE guid IS NOT NULL;
CREATE INDEX notes_fresh ON notes(id) WHERE fresh != 0;

CREATE TABLE notetypes (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind = 'vocab' OR kind = 'basic' OR kind = 'basic-reversed'
                        OR kind = 'basic-optional-reversed' OR kind = 'typed' OR kind = 'cloze'
                        OR kind = 'anki'),
    name        TEXT    NOT NULL,
    anki_id     INTEGER,                      -- Anki's note type id, when it came from Anki
    fields      TEXT    NOT NULL,             -- JSON list of field names, in order
    templates   TEXT    NOT NULL,             -- JSON list of {name, front, back}
    css         TEXT    NOT NULL DEFAULT '',
    extra       TEXT    NOT NULL DEFAULT '{}', -- what else Anki keeps of the type (JSON), for the way back
    modified_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX notetypes_anki ON notetypes(anki_id) WHERE anki_id IS NOT NULL;
INSERT INTO notetypes (id, kind, name, fields, templates, modified_at) VALUES
    (1, 'vocab', 'vocab',
     '["Term","Definition","Example","Aliases","Tags","Related","Source"]',
     '[{"name":"forward","front":"{{Term}}","back":"{{FrontSide}}<hr id=answer>{{Definition}}"},{"name":"reverse","front":"{{Definition}}","back":"{{FrontSide}}<hr id=answer>{{type:Term}}"}]',
     0);

-- The ordinals a card can have, for the view and the queue to walk a note's cards.
CREATE TABLE card_ords (
    ord INTEGER PRIMARY KEY CHECK (ord >= 0 AND ord < 64)
) STRICT;
WITH RECURSIVE o(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM o WHERE n < 63)
INSERT INTO card_ords (ord) SELECT n FROM o;


CREATE TABLE card_states (
    id            INTEGER PRIMARY KEY,        -- note_id * 64 + ord
    note_id       INTEGER NOT NULL REFERENCES notes(id),
    phase         TEXT    NOT NULL DEFAULT 'new'
                  CHECK (phase = 'new' OR phase = 'learning' OR phase = 'review' OR phase = 'relearning'),
    due_day       INTEGER,                    -- study day number it is due on (day-based phases)
    due_at        INTEGER,                    -- unix seconds it is due at (intraday steps)
    interval_days INTEGER NOT NULL DEFAULT 0 CHECK (interval_days >= 0),
    ease_permille INTEGER NOT NULL DEFAULT 2500 CHECK (ease_permille >= 1300),
    repetitions   INTEGER NOT NULL DEFAULT 0 CHECK (repetitions >= 0),
    lapses        INTEGER NOT NULL DEFAULT 0 CHECK (lapses >= 0),
    step          INTEGER NOT NULL DEFAULT 0,
    suspended     INTEGER NOT NULL DEFAULT 0 CHECK (suspended = 0 OR suspended = 1),
    buried_day    INTEGER,                    -- hidden while today <= buried_day
    stability     REAL,                       -- FSRS's memory state (NULL: none), exactly
    difficulty    REAL,                       -- the f32 the crate returned
    CHECK (note_id = id / 64)
) STRICT;
CREATE INDEX card_states_due ON card_states(phase, due_day);

-- The scheduler settings answers were made with, one row per distinct set (`body` is
-- `scheduler::Settings::body`), so `check` replays each answer with its own.
CREATE TABLE scheduler_settings (
    id   INTEGER PRIMARY KEY,
    body TEXT    NOT NULL UNIQUE
) STRICT;

-- Append-only: every answer, with the card's whole state before and after it, so that undo is
-- exact and a replay can prove the stored state.
CREATE TABLE reviews (
    id              INTEGER PRIMARY KEY,
    card_id         INTEGER NOT NULL REFERENCES card_states(id),
    reviewed_at     INTEGER NOT NULL,         -- unix milliseconds
    day             INTEGER NOT NULL,         -- study day number of the answer
    quality         INTEGER NOT NULL CHECK (quality BETWEEN 0 AND 5),
    duration_ms     INTEGER NOT NULL CHECK (duration_ms >= 0),
    kind            TEXT    NOT NULL CHECK (kind = 'schedule' OR kind = 'drill' OR kind = 'cram' OR kind = 'import' OR kind = 'reschedule'),
    scheduler       TEXT    NOT NULL,
    fuzz            INTEGER NOT NULL DEFAULT 1 CHECK (fuzz = 0 OR fuzz = 1),   -- settings the answer
    max_interval    INTEGER NOT NULL DEFAULT 36500 CHECK (max_interval >= 1), -- was scheduled with
    phase_before    TEXT    NOT NULL,
    due_day_before  INTEGER,
    due_at_before   INTEGER,
    interval_before INTEGER NOT NULL,
    ease_before     INTEGER NOT NULL,
    reps_before     INTEGER NOT NULL,
    lapses_before   INTEGER NOT NULL,
    step_before     INTEGER NOT NULL,
    phase_after     TEXT    NOT NULL,
    due_day_after   INTEGER,
    due_at_after    INTEGER,
    interval_after  INTEGER NOT NULL,
    ease_after      INTEGER NOT NULL,
    reps_after      INTEGER NOT NULL,
    lapses_after    INTEGER NOT NULL,
    step_after      INTEGER NOT NULL,
    -- FSRS's memory state before and after the answer and its predicted recall at the
    -- answer (NULL where the scheduler keeps none), exactly the f32 the crate returned.
    stability_before  REAL,
    difficulty_before REAL,
    stability_after   REAL,
    difficulty_after  REAL,
    retrievability    REAL,
    -- Every setting the answer was scheduled with (NULL: a row from before migration 5,
    -- scheduled with the defaults and the fuzz and max_interval above).
    settings_id     INTEGER REFERENCES scheduler_settings(id),
    gid             TEXT,                     -- global answer id once published (sync)
    order_ms        INTEGER                   -- the merge's order time (NULL: reviewed_at)
) STRICT;
CREATE INDEX reviews_card ON reviews(card_id, reviewed_at);
CREATE UNIQUE INDEX reviews_gid ON reviews(gid) WHERE gid IS NOT NULL;
CREATE INDEX reviews_day ON reviews(day, kind);

-- The answers counted per study day, kept by triggers as reviews are written and deleted (an
-- answer, an undo, an import), so the statistics read a few rows a day instead of every
-- answer. Derived data: `jargon check` compares them with the review log and rebuilds them
-- from it when they differ.
--
-- review_day_counts: answers per (day, kind, phase before, interval before 21 days or more,
-- quality), and their time. `mature` is 1 when interval_before >= 21 (stats::compute's
-- MATURE_DAYS); the statistics read it for the review phase only.
CREATE TABLE review_day_counts (
    day          INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    phase_before TEXT    NOT NULL,
    mature       INTEGER NOT NULL,
    quality      INTEGER NOT NULL,
    answers      INTEGER NOT NULL,
    time_ms      INTEGER NOT NULL,
    PRIMARY KEY (day, kind, phase_before, mature, quality)
) STRICT, WITHOUT ROWID;

-- review_quarter_counts: answers per (day, quarter hour, kind), and those not Again (quality 3
-- or more). `quarter` is reviewed_at in whole quarter hours since the epoch, rounded down:
-- every time zone offset is a whole number of quarter hours, so each has one local hour.
CREATE TABLE review_quarter_counts (
    day     INTEGER NOT NULL,
    quarter INTEGER NOT NULL,
    kind    TEXT    NOT NULL,
    answers INTEGER NOT NULL,
    passed  INTEGER NOT NULL,
    PRIMARY KEY (day, quarter, kind)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER reviews_counts_insert AFTER INSERT ON reviews
BEGIN
    INSERT INTO review_day_counts (day, kind, phase_before, mature, quality, answers, time_ms)
    VALUES (NEW.day, NEW.kind, NEW.phase_before, NEW.interval_before >= 21, NEW.quality, 1,
            NEW.duration_ms)
    ON CONFLICT DO UPDATE SET answers = answers + 1, time_ms = time_ms + excluded.time_ms;
    INSERT INTO review_quarter_counts (day, quarter, kind, answers, passed)
    VALUES (NEW.day, (NEW.reviewed_at - ((NEW.reviewed_at % 900000) + 900000) % 900000) / 900000,
            NEW.kind, 1, NEW.quality >= 3)
    ON CONFLICT DO UPDATE SET answers = answers + 1, passed = passed + excluded.passed;
END;

CREATE TRIGGER reviews_counts_delete AFTER DELETE ON reviews
BEGIN
    UPDATE review_day_counts SET answers = answers - 1, time_ms = time_ms - OLD.duration_ms
    WHERE day = OLD.day AND kind = OLD.kind AND phase_before = OLD.phase_before
      AND mature = (OLD.interval_before >= 21) AND quality = OLD.quality;
    DELETE FROM review_day_counts
    WHERE day = OLD.day AND kind = OLD.kind AND phase_before = OLD.phase_before
      AND mature = (OLD.interval_before >= 21) AND quality = OLD.quality AND answers <= 0;
    UPDATE review_quarter_counts SET answers = answers - 1, passed = passed - (OLD.quality >= 3)
    WHERE day = OLD.day
      AND quarter = (OLD.reviewed_at - ((OLD.reviewed_at % 900000) + 900000) % 900000) / 900000
      AND kind = OLD.kind;
    DELETE FROM review_quarter_counts
    WHERE day = OLD.day
      AND quarter = (OLD.reviewed_at - ((OLD.reviewed_at % 900000) + 900000) % 900000) / 900000
      AND kind = OLD.kind AND answers <= 0;
END;

-- Reviews are append-only, but should a row ever change, its counts move with it.
CREATE TRIGGER reviews_counts_update
AFTER UPDATE OF day, reviewed_at, kind, phase_before, interval_before, quality, duration_ms ON reviews
BEGIN
    UPDATE review_day_counts SET answers = answers - 1, time_ms = time_ms - OLD.duration_ms
    WHERE day = OLD.day AND kind = OLD.kind AND phase_before = OLD.phase_before
      AND mature = (OLD.interval_before >= 21) AND quality = OLD.quality;
    DELETE FROM review_day_counts
    WHERE day = OLD.day AND kind = OLD.kind AND phase_before = OLD.phase_before
      AND mature = (OLD.interval_before >= 21) AND quality = OLD.quality AND answers <= 0;
    UPDATE review_quarter_counts SET answers = answers - 1, passed = passed - (OLD.quality >= 3)
    WHERE day = OLD.day
      AND quarter = (OLD.reviewed_at - ((OLD.reviewed_at % 900000) + 900000) % 900000) / 900000
      AND kind = OLD.kind;
    DELETE FROM review_quarter_counts
    WHERE day = OLD.day
      AND quarter = (OLD.reviewed_at - ((OLD.reviewed_at % 900000) + 900000) % 900000) / 900000
      AND kind = OLD.kind AND answers <= 0;
    INSERT INTO review_day_counts (day, kind, phase_before, mature, quality, answers, time_ms)
    VALUES (NEW.day, NEW.kind, NEW.phase_before, NEW.interval_before >= 21, NEW.quality, 1,
            NEW.duration_ms)
    ON CONFLICT DO UPDATE SET answers = answers + 1, time_ms = time_ms + excluded.time_ms;
    INSERT INTO review_quarter_counts (day, quarter, kind, answers, passed)
    VALUES (NEW.day, (NEW.reviewed_at - ((NEW.reviewed_at % 900000) + 900000) % 900000) / 900000,
            NEW.kind, 1, NEW.quality >= 3)
    ON CONFLICT DO UPDATE SET answers = answers + 1, passed = passed + excluded.passed;
END;

CREATE TABLE config (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- When each setting was last changed here (`config set`/`unset`, `optimize`; never by the
-- merge): a setting that travels is published with this time, so the later change wins
-- whatever order the machines sync in.
CREATE TABLE config_times (
    key        TEXT    NOT NULL PRIMARY KEY,
    changed_ms INTEGER NOT NULL                -- unix milliseconds, this machine's clock
) STRICT;

-- When a card's flags were last changed here (`suspend`, `unsuspend`, `:suspend`, `:bury`;
-- never by the merge), by card id; NULL: not known, the sync's time is used. A suspension or
-- burial is published with this time, so the later change wins whatever order machines sync
-- in.
CREATE TABLE card_flag_times (
    card_id    INTEGER PRIMARY KEY,
    suspend_ms INTEGER,                        -- the suspended flag's last change
    bury_ms    INTEGER                         -- the burial's last change
) STRICT;

-- Every card of every note, an untouched one with its defaults.
CREATE VIEW cards AS
SELECT n.id * 64 + o.ord                  AS id,
       n.id                               AS note_id,
       o.ord                              AS ord,
       coalesce(s.phase, 'new')           AS phase,
       s.due_day                          AS due_day,
       s.due_at                           AS due_at,
       coalesce(s.interval_days, 0)       AS interval_days,
       coalesce(s.ease_permille, 2500)    AS ease_permille,
       coalesce(s.repetitions, 0)         AS repetitions,
       coalesce(s.lapses, 0)              AS lapses,
       coalesce(s.step, 0)                AS step,
       coalesce(s.suspended, 0)           AS suspended,
       s.buried_day                       AS buried_day,
       n.id                               AS position,  -- new cards come in note order
       s.stability                        AS stability,
       s.difficulty                       AS difficulty
FROM notes n
JOIN card_ords o ON o.ord < n.card_span AND (n.cards >> o.ord) & 1 = 1
LEFT JOIN card_states s ON s.id = n.id * 64 + o.ord;

-- notes.fresh: bit 1 << ord is set while that card is new (no row, or a row in 'new').
CREATE TRIGGER card_states_fresh_insert AFTER INSERT ON card_states
BEGIN
    UPDATE notes SET fresh = (fresh & ~(1 << (NEW.id % 64))) | ((NEW.phase = 'new') << (NEW.id % 64))
    WHERE id = NEW.note_id;
END;
CREATE TRIGGER card_states_fresh_update AFTER UPDATE OF phase ON card_states
WHEN OLD.phase IS NOT NEW.phase
BEGIN
    UPDATE notes SET fresh = (fresh & ~(1 << (NEW.id % 64))) | ((NEW.phase = 'new') << (NEW.id % 64))
    WHERE id = NEW.note_id;
END;
CREATE TRIGGER card_states_fresh_delete AFTER DELETE ON card_states
BEGIN
    UPDATE notes SET fresh = fresh | (1 << (OLD.id % 64)) WHERE id = OLD.note_id;
END;

-- Sync through a shared folder (007-sync.sql explains each table).
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

-- jargon collection schema, version 1. Applied as migration 1; never edited after release:
-- later changes are new numbered migrations in src/store/migrations.rs.
-- CHECK constraints list their values as OR chains: an IN list makes SQLite build a
-- temporary table for every row inserted, which cost a quarter of a large import.

CREATE TABLE decks (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,      -- '::' separates sub-decks, as in Anki
    description TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL              -- unix seconds
) STRICT;

CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    deck_id     INTEGER NOT NULL REFERENCES decks(id),
    key         TEXT    NOT NULL,             -- explicit id or slug of the term; unique in its deck
    guid        TEXT,                         -- Anki's note guid, when the note came from Anki
    term        TEXT    NOT NULL,
    definition  TEXT    NOT NULL,
    example     TEXT    NOT NULL DEFAULT '',
    aliases     TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
    tags        TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
    related     TEXT    NOT NULL DEFAULT '[]', -- JSON array of note keys
    source      TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    UNIQUE (deck_id, key)
) STRICT;
CREATE INDEX notes_key ON notes(key);
CREATE INDEX notes_guid ON notes(guid) WHERE guid IS NOT NULL;

CREATE TABLE cards (
    id            INTEGER PRIMARY KEY,
    note_id       INTEGER NOT NULL REFERENCES notes(id),
    direction     TEXT    NOT NULL CHECK (direction = 'forward' OR direction = 'reverse'),
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
    position      INTEGER NOT NULL,           -- order in which new cards are introduced
    UNIQUE (note_id, direction)
) STRICT;
CREATE INDEX cards_due ON cards(phase, due_day);
CREATE INDEX cards_new ON cards(phase, position);

-- Append-only: every answer, with the card's whole state before and after it, so that undo is
-- exact and a replay can prove the stored state.
CREATE TABLE reviews (
    id              INTEGER PRIMARY KEY,
    card_id         INTEGER NOT NULL REFERENCES cards(id),
    reviewed_at     INTEGER NOT NULL,         -- unix milliseconds
    day             INTEGER NOT NULL,         -- study day number of the answer
    quality         INTEGER NOT NULL CHECK (quality BETWEEN 0 AND 5),
    duration_ms     INTEGER NOT NULL CHECK (duration_ms >= 0),
    kind            TEXT    NOT NULL CHECK (kind = 'schedule' OR kind = 'drill' OR kind = 'cram' OR kind = 'import'),
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
    step_after      INTEGER NOT NULL
) STRICT;
CREATE INDEX reviews_card ON reviews(card_id, reviewed_at);
CREATE INDEX reviews_day ON reviews(day, kind);

CREATE TABLE config (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

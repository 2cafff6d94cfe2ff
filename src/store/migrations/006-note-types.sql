-- Migration 6: note types, and any number of cards per note (issue 18). Never edited once
-- released; later changes are new numbered migrations.
--
-- A note now has a type (`notetypes`): ours, `vocab` (id 1: the term, definition, example,
-- aliases, tags, related and source columns, with a forward and a reverse card), Anki's stock
-- types, or any Anki note type kept whole. A note of another type than vocab keeps its
-- fields, as written (HTML where they came as HTML), in `notes.fields`, a JSON list in the
-- type's field order; `term` and `definition` then hold the plain text of its first two
-- fields, for listings and searches.
--
-- A card's id becomes its note's id * 64 + its ordinal (0 forward and 1 reverse for vocab;
-- the template's ordinal, or the cloze number - 1, for the others), so a note has at most 64
-- cards. `notes.cards` has bit 1 << ord set for each card the note has, `card_span` is the
-- highest such ord + 1 (so a walk over a note's cards stops there), and `fresh` keeps a bit
-- per card still new. Every card id in card_states and in the log is renumbered from
-- note * 2 + direction to note * 64 + direction: same cards, same states, same log.

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

DROP VIEW cards;
DROP TRIGGER card_states_fresh_insert;
DROP TRIGGER card_states_fresh_update;
DROP TRIGGER card_states_fresh_delete;

CREATE TABLE notes_6 (
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
    CHECK (card_span >= 1 AND card_span <= 64),
    CHECK (cards != 0 AND (cards >> (card_span - 1)) & 1 = 1
           AND (card_span = 64 OR cards >> card_span = 0)),
    CHECK (fresh & ~cards = 0)
) STRICT;
INSERT INTO notes_6 (id, deck_id, notetype_id, key, guid, term, definition, example, aliases,
                     tags, related, source, fields, created_at, modified_at, cards, card_span,
                     fresh)
SELECT id, deck_id, 1, key, guid, term, definition, example, aliases, tags, related, source,
       NULL, created_at, modified_at, 3, 2, fresh
FROM notes;
DROP TABLE notes;
ALTER TABLE notes_6 RENAME TO notes;
CREATE UNIQUE INDEX notes_deck_key ON notes(deck_id, key);
CREATE INDEX notes_guid ON notes(guid) WHERE guid IS NOT NULL;
CREATE INDEX notes_fresh ON notes(id) WHERE fresh != 0;

CREATE TABLE card_states_6 (
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
INSERT INTO card_states_6 (id, note_id, phase, due_day, due_at, interval_days, ease_permille,
                           repetitions, lapses, step, suspended, buried_day, stability,
                           difficulty)
SELECT note_id * 64 + id % 2, note_id, phase, due_day, due_at, interval_days, ease_permille,
       repetitions, lapses, step, suspended, buried_day, stability, difficulty
FROM card_states;
DROP TABLE card_states;
ALTER TABLE card_states_6 RENAME TO card_states;
CREATE INDEX card_states_due ON card_states(phase, due_day);

-- The log's card ids follow; the counting triggers watch other columns, so this moves no count.
UPDATE reviews SET card_id = (card_id / 2) * 64 + card_id % 2;

DROP TABLE directions;

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

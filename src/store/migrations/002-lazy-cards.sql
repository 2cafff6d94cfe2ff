-- Migration 2: a card gets its own row only once it leaves its untouched new state.
--
-- Every note has a forward and a reverse card. A card nobody has answered, suspended or
-- buried is fully described by its note (phase new, ease 2.5, nothing due), so it is no
-- longer stored: importing 100,000 notes writes 100,000 rows instead of 300,000. A card's id
-- is now its note's id * 2 + its direction bit (0 forward, 1 reverse), known before the card
-- has a row. `card_states` holds the rows; the view `cards` shows every card, with the
-- defaults filled in. `notes.fresh` has a bit set for each direction whose card is still new,
-- kept by triggers, and the partial index on it is the queue of new cards.
--
-- Never edited once released; later changes are new numbered migrations.

CREATE TABLE directions (
    bit  INTEGER PRIMARY KEY CHECK (bit = 0 OR bit = 1),
    name TEXT    NOT NULL UNIQUE
) STRICT;
INSERT INTO directions (bit, name) VALUES (0, 'forward'), (1, 'reverse');

-- Notes are found by (deck, key) through the UNIQUE index; a key alone is looked up once per
-- deck in it, so the key-only index is not worth its cost on every import.
DROP INDEX notes_key;

ALTER TABLE notes ADD COLUMN fresh INTEGER NOT NULL DEFAULT 3 CHECK (fresh >= 0 AND fresh <= 3);

CREATE TABLE card_states (
    id            INTEGER PRIMARY KEY,        -- note_id * 2 + direction bit
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
    CHECK (note_id = id / 2)
) STRICT;
CREATE INDEX card_states_due ON card_states(phase, due_day);

-- Keep the rows that say something: a state other than the untouched one, or a logged answer.
INSERT INTO card_states (id, note_id, phase, due_day, due_at, interval_days, ease_permille,
                         repetitions, lapses, step, suspended, buried_day)
SELECT c.note_id * 2 + (c.direction = 'reverse'), c.note_id, c.phase, c.due_day, c.due_at,
       c.interval_days, c.ease_permille, c.repetitions, c.lapses, c.step, c.suspended, c.buried_day
FROM cards c
WHERE NOT (c.phase = 'new' AND c.due_day IS NULL AND c.due_at IS NULL AND c.interval_days = 0
           AND c.ease_permille = 2500 AND c.repetitions = 0 AND c.lapses = 0 AND c.step = 0
           AND c.suspended = 0 AND c.buried_day IS NULL)
   OR EXISTS (SELECT 1 FROM reviews r WHERE r.card_id = c.id);

-- The log, with its card ids renumbered and pointing at card_states.
CREATE TABLE reviews_v2 (
    id              INTEGER PRIMARY KEY,
    card_id         INTEGER NOT NULL REFERENCES card_states(id),
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
INSERT INTO reviews_v2
SELECT r.id, c.note_id * 2 + (c.direction = 'reverse'), r.reviewed_at, r.day, r.quality,
       r.duration_ms, r.kind, r.scheduler, r.fuzz, r.max_interval, r.phase_before,
       r.due_day_before, r.due_at_before, r.interval_before, r.ease_before, r.reps_before,
       r.lapses_before, r.step_before, r.phase_after, r.due_day_after, r.due_at_after,
       r.interval_after, r.ease_after, r.reps_after, r.lapses_after, r.step_after
FROM reviews r JOIN cards c ON c.id = r.card_id;
DROP TABLE reviews;
ALTER TABLE reviews_v2 RENAME TO reviews;
CREATE INDEX reviews_card ON reviews(card_id, reviewed_at);
CREATE INDEX reviews_day ON reviews(day, kind);

DROP TABLE cards;

-- Every card of every note, an untouched one with its defaults.
CREATE VIEW cards AS
SELECT n.id * 2 + d.bit                   AS id,
       n.id                               AS note_id,
       d.name                             AS direction,
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
       n.id                               AS position   -- new cards come in note order
FROM notes n
CROSS JOIN directions d
LEFT JOIN card_states s ON s.id = n.id * 2 + d.bit;

-- notes.fresh: bit 1 << direction is set while that card is new (no row, or a row in 'new').
CREATE TRIGGER card_states_fresh_insert AFTER INSERT ON card_states
BEGIN
    UPDATE notes SET fresh = (fresh & ~(1 << (NEW.id % 2))) | ((NEW.phase = 'new') << (NEW.id % 2))
    WHERE id = NEW.note_id;
END;
CREATE TRIGGER card_states_fresh_update AFTER UPDATE OF phase ON card_states
WHEN OLD.phase IS NOT NEW.phase
BEGIN
    UPDATE notes SET fresh = (fresh & ~(1 << (NEW.id % 2))) | ((NEW.phase = 'new') << (NEW.id % 2))
    WHERE id = NEW.note_id;
END;
CREATE TRIGGER card_states_fresh_delete AFTER DELETE ON card_states
BEGIN
    UPDATE notes SET fresh = fresh | (1 << (OLD.id % 2)) WHERE id = OLD.note_id;
END;

UPDATE notes SET fresh =
    (CASE WHEN EXISTS (SELECT 1 FROM card_states s WHERE s.id = notes.id * 2 AND s.phase != 'new')
          THEN 0 ELSE 1 END)
  | (CASE WHEN EXISTS (SELECT 1 FROM card_states s WHERE s.id = notes.id * 2 + 1 AND s.phase != 'new')
          THEN 0 ELSE 2 END);
CREATE INDEX notes_fresh ON notes(id) WHERE fresh != 0;

-- Migration 5: the scheduler family (issue 17). Never edited once released; later changes
-- are new numbered migrations.
--
-- card_states keeps FSRS's memory state; reviews record it before and after each answer, the
-- retrievability at the answer, the settings the answer was made with, and admit the kind
-- 'reschedule'. SQLite cannot change a CHECK constraint, so reviews is rebuilt: same ids,
-- the old rows' new columns NULL, its indexes and migration 4's triggers made again.

ALTER TABLE card_states ADD COLUMN stability REAL;
ALTER TABLE card_states ADD COLUMN difficulty REAL;

DROP VIEW cards;
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
       n.id                               AS position,  -- new cards come in note order
       s.stability                        AS stability,
       s.difficulty                       AS difficulty
FROM notes n
CROSS JOIN directions d
LEFT JOIN card_states s ON s.id = n.id * 2 + d.bit;

-- The scheduler settings answers were made with, one row per distinct set (`body` is
-- `scheduler::Settings::body`), so `check` replays each answer with its own.
CREATE TABLE scheduler_settings (
    id   INTEGER PRIMARY KEY,
    body TEXT    NOT NULL UNIQUE
) STRICT;

CREATE TABLE reviews_5 (
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
    settings_id     INTEGER REFERENCES scheduler_settings(id)
) STRICT;

INSERT INTO reviews_5 (id, card_id, reviewed_at, day, quality, duration_ms, kind, scheduler, fuzz, max_interval,
    phase_before, due_day_before, due_at_before, interval_before, ease_before, reps_before,
    lapses_before, step_before, phase_after, due_day_after, due_at_after, interval_after,
    ease_after, reps_after, lapses_after, step_after)
SELECT id, card_id, reviewed_at, day, quality, duration_ms, kind, scheduler, fuzz, max_interval,
    phase_before, due_day_before, due_at_before, interval_before, ease_before, reps_before,
    lapses_before, step_before, phase_after, due_day_after, due_at_after, interval_after,
    ease_after, reps_after, lapses_after, step_after
FROM reviews;

DROP TABLE reviews;
ALTER TABLE reviews_5 RENAME TO reviews;
CREATE INDEX reviews_card ON reviews(card_id, reviewed_at);
CREATE INDEX reviews_day ON reviews(day, kind);

-- Migration 4's triggers, as they were (dropped with the old table).
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

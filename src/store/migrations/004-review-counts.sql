-- Migration 4: per-day counts of the answers for the statistics (see schema.sql), built here
-- from the existing review log. Never edited once released; later changes are new numbered
-- migrations.

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

INSERT INTO review_day_counts (day, kind, phase_before, mature, quality, answers, time_ms)
SELECT day, kind, phase_before, interval_before >= 21, quality, count(*), sum(duration_ms)
FROM reviews
GROUP BY 1, 2, 3, 4, 5;

INSERT INTO review_quarter_counts (day, quarter, kind, answers, passed)
SELECT day, (reviewed_at - ((reviewed_at % 900000) + 900000) % 900000) / 900000, kind, count(*),
       sum(quality >= 3)
FROM reviews
GROUP BY 1, 2, 3;

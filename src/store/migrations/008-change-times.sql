-- Migration 8: when each setting and each card's flags were last changed here (issue 20).
-- Never edited once released; later changes are new numbered migrations.
--
-- A setting that travels, a suspension and a burial are published with the time they were
-- changed on this machine, not the time of the sync that finds the change: two machines that
-- changed the same thing offline then agree on the later change whatever order they sync in.
-- Written by the commands that change them (`config`, `optimize`, `suspend`, the review's
-- `:suspend`/`:bury`), never by the merge (a value from another device is not a change
-- made here).
CREATE TABLE config_times (
    key        TEXT    NOT NULL PRIMARY KEY,
    changed_ms INTEGER NOT NULL                -- unix milliseconds, this machine's clock
) STRICT;

-- By card id; NULL: not changed here since this table came (the sync's time is used).
CREATE TABLE card_flag_times (
    card_id    INTEGER PRIMARY KEY,
    suspend_ms INTEGER,                        -- the suspended flag's last change
    bury_ms    INTEGER                         -- the burial's last change
) STRICT;

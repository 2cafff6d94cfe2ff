-- Migration 8: when each setting was last changed here (issue 20). Never edited once
-- released; later changes are new numbered migrations.
--
-- A setting that travels is published with the time it was changed on this machine, not the
-- time of the sync that finds the change: two machines that changed it offline then agree
-- on the later change whatever order they sync in. Written by `config set`/`unset` and
-- `optimize`, never by the merge (a value from another device is not a change made here).
CREATE TABLE config_times (
    key        TEXT    NOT NULL PRIMARY KEY,
    changed_ms INTEGER NOT NULL                -- unix milliseconds, this machine's clock
) STRICT;

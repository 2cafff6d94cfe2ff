-- Migration 3: a note's key is unique in its deck through a named index, notes_deck_key,
-- instead of a table constraint, so that an import much larger than the collection can drop
-- the index and build it again in one sorted pass (src/store/import.rs) rather than insert
-- 100,000 keys into it one by one in random order. SQLite cannot drop a table constraint, so
-- the table is rebuilt: the same columns in the same order, the same rows under the same ids.
--
-- Runs with foreign keys off (the old table is dropped while card_states points at it);
-- migrations.rs runs PRAGMA foreign_key_check before the commit. legacy_alter_table makes the
-- rename leave the view `cards` and the card_states triggers, which name `notes`, as they are.
-- Never edited once released; later changes are new numbered migrations.

PRAGMA legacy_alter_table = ON;

CREATE TABLE notes_v3 (
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
    fresh       INTEGER NOT NULL DEFAULT 3 CHECK (fresh >= 0 AND fresh <= 3) -- bit per new card
) STRICT;
INSERT INTO notes_v3 (id, deck_id, key, guid, term, definition, example, aliases, tags, related,
                      source, created_at, modified_at, fresh)
SELECT id, deck_id, key, guid, term, definition, example, aliases, tags, related,
       source, created_at, modified_at, fresh
FROM notes;
DROP TABLE notes;
ALTER TABLE notes_v3 RENAME TO notes;

PRAGMA legacy_alter_table = OFF;

CREATE UNIQUE INDEX notes_deck_key ON notes(deck_id, key);
CREATE INDEX notes_guid ON notes(guid) WHERE guid IS NOT NULL;
CREATE INDEX notes_fresh ON notes(id) WHERE fresh != 0;

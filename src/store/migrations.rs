//! Numbered schema migrations, recorded in `PRAGMA user_version`.
//!
//! Migration N (`migrations/00N-*.sql`) brings the schema from version N-1 to N. They run in
//! one transaction, are never edited once released, and never drop learner data. A new
//! collection gets `schema.sql`, the whole current schema, in one step; a test checks that it
//! equals what the migrations build from version 0.

use std::path::Path;

use rusqlite::Connection;

use crate::error::{Error, Result};

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001-initial.sql"),
    include_str!("migrations/002-lazy-cards.sql"),
    include_str!("migrations/003-notes-key-index.sql"),
    include_str!("migrations/004-review-counts.sql"),
    include_str!("migrations/005-scheduler-family.sql"),
    include_str!("migrations/006-note-types.sql"),
    include_str!("migrations/007-sync.sql"),
    include_str!("migrations/008-change-times.sql"),
];

/// The current schema, for a new collection.
const SCHEMA: &str = include_str!("../../schema.sql");

/// The schema version this build writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn check_version(path: &Path, found: i64) -> Result<()> {
    if found > CURRENT_VERSION {
        return Err(Error::TooNew {
            path: path.to_path_buf(),
            found,
            known: CURRENT_VERSION,
        });
    }
    if found < 0 {
        return Err(Error::NotACollection(path.to_path_buf()));
    }
    Ok(())
}

/// Applies the migrations after `from`, all in one transaction.
pub fn migrate(conn: &mut Connection, from: i64) -> Result<()> {
    if from >= CURRENT_VERSION {
        return Ok(());
    }
    if from == 0 {
        // A version-0 file with tables in it was not made by jargon.
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        if tables > 0 {
            return Err(Error::failed(
                "this SQLite database is not a jargon collection (it has tables but no jargon schema version)",
            ));
        }
    }
    // A migration may rebuild a table others point at (SQLite's way to change a constraint),
    // which needs foreign keys off; the setting cannot change inside a transaction. They are
    // checked as a whole before the commit instead, and on again afterwards, whatever happens.
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let migrated = run_migrations(conn, from, CURRENT_VERSION);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    migrated
}

/// Brings a collection from version `from` to `to` (tests stop at an older version, to see
/// what one migration did).
#[cfg(test)]
pub(crate) fn migrate_to(conn: &mut Connection, from: i64, to: i64) -> Result<()> {
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let migrated = run_migrations(conn, from, to);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    migrated
}

fn run_migrations(conn: &mut Connection, from: i64, to: i64) -> Result<()> {
    let tx = conn.transaction()?;
    if from == 0 {
        tx.execute_batch(SCHEMA)?;
        tx.pragma_update(None, "user_version", CURRENT_VERSION)?;
        tx.commit()?;
        return Ok(());
    }
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(from).unwrap_or(0))
        .take(usize::try_from(to - from).unwrap_or(0))
    {
        let version = index as i64 + 1;
        tx.execute_batch(sql).map_err(|e| {
            // SQLite's message without the migration's whole text.
            let reason = match &e {
                rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
                other => other.to_string(),
            };
            Error::failed(format!(
                "cannot upgrade the collection to schema version {version} (nothing was changed): {reason}"
            ))
        })?;
        tx.pragma_update(None, "user_version", version)?;
    }
    let broken: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if broken > 0 {
        let rows = if broken == 1 {
            "1 row points".to_string()
        } else {
            format!("{broken} rows point")
        };
        return Err(Error::failed(format!(
            "cannot upgrade the collection to schema version {CURRENT_VERSION} (nothing was changed): {rows} at rows that do not exist (PRAGMA foreign_key_check lists them)"
        )));
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table's columns, every index with its columns and condition, every foreign key,
    /// and the text of every view and trigger, as one comparable listing.
    fn describe(conn: &Connection) -> Vec<String> {
        let mut out = vec![];
        let objects: Vec<(String, String, Option<String>)> = conn
            .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for (kind, name, sql) in objects {
            out.push(format!("{kind} {name}"));
            match kind.as_str() {
                "table" => {
                    let mut stmt = conn
                        .prepare("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_xinfo(?1)")
                        .unwrap();
                    let rows = stmt
                        .query_map([&name], |r| {
                            Ok(format!(
                                "  column {} {} {} {:?} {}",
                                r.get::<_, String>(0)?,
                                r.get::<_, String>(1)?,
                                r.get::<_, i64>(2)?,
                                r.get::<_, Option<String>>(3)?,
                                r.get::<_, i64>(4)?
                            ))
                        })
                        .unwrap();
                    out.extend(rows.map(Result::unwrap));
                    let mut stmt = conn
                        .prepare(
                            "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1)",
                        )
                        .unwrap();
                    let rows = stmt
                        .query_map([&name], |r| {
                            Ok(format!(
                                "  references {}.{:?} from {}",
                                r.get::<_, String>(0)?,
                                r.get::<_, Option<String>>(2)?,
                                r.get::<_, String>(1)?
                            ))
                        })
                        .unwrap();
                    out.extend(rows.map(Result::unwrap));
                    // CHECK constraints live only in the table's text; list them in order.
                    let text = sql.unwrap_or_default();
                    let checks = text.matches("CHECK").count();
                    out.push(format!("  {checks} checks"));
                }
                "index" => {
                    let mut stmt = conn
                        .prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")
                        .unwrap();
                    let columns: Vec<String> = stmt
                        .query_map([&name], |r| r.get::<_, Option<String>>(0))
                        .unwrap()
                        .map(|c| c.unwrap().unwrap_or_default())
                        .collect();
                    let condition = sql
                        .as_deref()
                        .and_then(|s| s.split_once(" WHERE "))
                        .map(|(_, w)| w.trim().to_string());
                    out.push(format!("  on {columns:?} where {condition:?}"));
                }
                _ => {
                    let text = sql.unwrap_or_default();
                    out.push(format!(
                        "  {}",
                        text.split_whitespace().collect::<Vec<_>>().join(" ")
                    ));
                }
            }
        }
        out
    }

    #[test]
    fn a_new_collection_has_the_schema_the_migrations_build() {
        let migrated = Connection::open_in_memory().unwrap();
        for sql in MIGRATIONS {
            migrated.execute_batch(sql).unwrap();
        }
        let mut fresh = Connection::open_in_memory().unwrap();
        migrate(&mut fresh, 0).unwrap();
        let version: i64 = fresh
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, CURRENT_VERSION);
        assert_eq!(describe(&fresh), describe(&migrated));
        for table in ["card_ords", "notetypes"] {
            let rows = |conn: &Connection| -> Vec<String> {
                conn.prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
                    .unwrap()
                    .query_map([], |r| {
                        (0..r.as_ref().column_count())
                            .map(|i| Ok(format!("{:?}", r.get::<_, rusqlite::types::Value>(i)?)))
                            .collect::<rusqlite::Result<Vec<_>>>()
                            .map(|v| v.join("|"))
                    })
                    .unwrap()
                    .map(Result::unwrap)
                    .collect()
            };
            assert_eq!(rows(&fresh), rows(&migrated), "the rows of {table}");
            assert!(!rows(&fresh).is_empty());
        }
    }

    /// Every row `sql` returns, through `row`.
    fn rows<T>(
        conn: &Connection,
        sql: &str,
        row: impl FnMut(&rusqlite::Row) -> rusqlite::Result<T>,
    ) -> Vec<T> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], row)
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// A version 1 collection with two notes and their four cards, one card answered twice
    /// and one suspended. Version 1 numbered cards in insertion order: note 1 has cards 1
    /// (forward) and 2 (reverse), note 2 has cards 3 and 4.
    fn version_1_with_answers() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO decks (id, name, created_at) VALUES (1, 'D', 0);
             INSERT INTO notes (id, deck_id, key, term, definition, created_at, modified_at)
                 VALUES (1, 1, 'a', 'A', 'first', 0, 0), (2, 1, 'b', 'B', 'second', 0, 0);
             INSERT INTO cards (id, note_id, direction, position) VALUES
                 (1, 1, 'forward', 1), (2, 1, 'reverse', 1), (3, 2, 'forward', 2), (4, 2, 'reverse', 2);
             UPDATE cards SET phase = 'review', due_day = 100, interval_days = 6, ease_permille = 2360,
                 repetitions = 2, lapses = 1 WHERE id = 2;
             UPDATE cards SET suspended = 1 WHERE id = 3;
             INSERT INTO reviews (card_id, reviewed_at, day, quality, duration_ms, kind, scheduler,
                 phase_before, interval_before, ease_before, reps_before, lapses_before, step_before,
                 phase_after, due_day_after, interval_after, ease_after, reps_after, lapses_after, step_after)
             VALUES (2, 1000, 90, 4, 500, 'schedule', 'sm2', 'new', 0, 2500, 0, 0, 0, 'review', 91, 1, 2500, 1, 0, 0),
                    (2, 2000, 91, 4, 500, 'schedule', 'sm2', 'review', 1, 2500, 1, 0, 0, 'review', 97, 6, 2360, 2, 1, 0);",
        )
        .unwrap();
        conn
    }

    #[test]
    fn migration_2_keeps_every_card_state_and_answer_under_the_new_card_ids() {
        let mut conn = version_1_with_answers();
        migrate_to(&mut conn, 1, 5).unwrap();
        // Migration 4 counted the log already there for the statistics.
        let counts: Vec<(i64, String, String, i64, i64, i64, i64)> =
            rows(&conn, "SELECT * FROM review_day_counts ORDER BY day", |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            });
        assert_eq!(
            counts,
            vec![
                (90, "schedule".into(), "new".into(), 0, 4, 1, 500),
                (91, "schedule".into(), "review".into(), 0, 4, 1, 500)
            ]
        );
        let quarters: Vec<(i64, i64, i64, i64)> = rows(
            &conn,
            "SELECT day, quarter, answers, passed FROM review_quarter_counts ORDER BY day",
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        );
        assert_eq!(quarters, vec![(90, 0, 1, 1), (91, 0, 1, 1)]);
        let stored: Vec<(i64, i64, String, Option<i64>, i64, i64)> = rows(
            &conn,
            "SELECT id, note_id, phase, due_day, ease_permille, suspended FROM card_states ORDER BY id",
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        );
        assert_eq!(
            stored,
            vec![
                (3, 1, "review".to_string(), Some(100), 2360, 0),
                (4, 2, "new".to_string(), None, 2500, 1),
            ],
            "the untouched cards lose their rows; the others keep them under id = note * 2 + direction"
        );
        let logged: Vec<(i64, i64)> =
            rows(&conn, "SELECT id, card_id FROM reviews ORDER BY id", |r| {
                Ok((r.get(0)?, r.get(1)?))
            });
        assert_eq!(logged, vec![(1, 3), (2, 3)]);
        let cards: Vec<(i64, String, String, i64)> = rows(
            &conn,
            "SELECT id, direction, phase, suspended FROM cards ORDER BY id",
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        );
        assert_eq!(
            cards,
            vec![
                (2, "forward".to_string(), "new".to_string(), 0),
                (3, "reverse".to_string(), "review".to_string(), 0),
                (4, "forward".to_string(), "new".to_string(), 1),
                (5, "reverse".to_string(), "new".to_string(), 0),
            ]
        );
        let fresh: Vec<i64> = rows(&conn, "SELECT fresh FROM notes ORDER BY id", |r| r.get(0));
        assert_eq!(fresh, vec![1, 3], "note 1's reverse card is no longer new");
        let broken: Vec<i64> = rows(
            &conn,
            "SELECT count(*) FROM pragma_foreign_key_check",
            |r| r.get(0),
        );
        assert_eq!(broken, [0]);
    }

    #[test]
    fn migration_3_keeps_every_note_card_and_answer_and_makes_the_key_index_droppable() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch(MIGRATIONS[1]).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO decks (id, name, created_at) VALUES (1, 'D', 0), (2, 'E', 0);
             INSERT INTO notes (id, deck_id, key, guid, term, definition, example, aliases, tags,
                                related, source, created_at, modified_at)
                 VALUES (4, 1, 'a', 'g1', 'A', 'first', 'ex', '[\"x\"]', '[\"t\"]', '[\"b\"]', 'src', 10, 20),
                        (9, 1, 'b', NULL, 'B', 'second', '', '[]', '[]', '[]', '', 11, 21),
                        (12, 2, 'a', NULL, 'A', 'other deck', '', '[]', '[]', '[]', '', 12, 22);
             INSERT INTO card_states (id, note_id, phase, due_day, interval_days, ease_permille, repetitions)
                 VALUES (9, 4, 'review', 100, 6, 2360, 2);
             INSERT INTO reviews (card_id, reviewed_at, day, quality, duration_ms, kind, scheduler,
                 phase_before, interval_before, ease_before, reps_before, lapses_before, step_before,
                 phase_after, due_day_after, interval_after, ease_after, reps_after, lapses_after, step_after)
             VALUES (9, 1000, 94, 4, 500, 'schedule', 'sm2', 'review', 1, 2500, 1, 0, 0, 'review', 100, 6, 2360, 2, 0, 0);",
        )
        .unwrap();
        // Later migrations add columns at the end: the columns there before are compared.
        let dump = |conn: &Connection, sql: &str, width: Option<usize>| -> Vec<String> {
            let mut stmt = conn.prepare(sql).unwrap();
            let width = width.unwrap_or(stmt.column_count());
            stmt.query_map([], |r| {
                (0..width)
                    .map(|i| Ok(format!("{:?}", r.get::<_, rusqlite::types::Value>(i)?)))
                    .collect::<rusqlite::Result<Vec<String>>>()
                    .map(|v| v.join("|"))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect()
        };
        let queries = [
            "SELECT * FROM notes ORDER BY id",
            "SELECT * FROM card_states ORDER BY id",
            "SELECT * FROM reviews ORDER BY id",
            "SELECT * FROM cards ORDER BY id",
        ];
        let widths: Vec<usize> = queries
            .iter()
            .map(|q| conn.prepare(q).unwrap().column_count())
            .collect();
        let before: Vec<Vec<String>> = queries.iter().map(|q| dump(&conn, q, None)).collect();
        migrate_to(&mut conn, 2, 5).unwrap();
        let after: Vec<Vec<String>> = queries
            .iter()
            .zip(&widths)
            .map(|(q, w)| dump(&conn, q, Some(*w)))
            .collect();
        assert_eq!(after, before, "every row, under the same ids");
        let enforced: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(enforced, 1, "foreign keys are on again after the upgrade");

        let duplicate = conn.execute(
            "INSERT INTO notes (deck_id, key, term, definition, created_at, modified_at)
             VALUES (1, 'a', 'A', 'again', 0, 0)",
            [],
        );
        assert!(duplicate.is_err(), "a key is still unique in its deck");
        conn.execute_batch("BEGIN; DROP INDEX notes_deck_key; ROLLBACK;")
            .expect("the key index can be dropped (and rebuilt) by an import");
        // The triggers still keep notes.fresh, and card_states still points at notes.
        conn.execute(
            "INSERT INTO card_states (id, note_id, phase) VALUES (24, 12, 'learning')",
            [],
        )
        .unwrap();
        let fresh: i64 = conn
            .query_row("SELECT fresh FROM notes WHERE id = 12", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fresh, 2);
        let orphan = conn.execute("INSERT INTO card_states (id, note_id) VALUES (40, 20)", []);
        assert!(orphan.is_err(), "note 20 does not exist");
    }

    #[test]
    fn an_upgrade_that_would_keep_a_row_pointing_nowhere_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch(MIGRATIONS[1]).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        // A card of note 50, which does not exist (written with foreign keys off).
        conn.pragma_update(None, "foreign_keys", false).unwrap();
        conn.execute(
            "INSERT INTO card_states (id, note_id, phase) VALUES (100, 50, 'learning')",
            [],
        )
        .unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        let err = migrate(&mut conn, 2).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "cannot upgrade the collection to schema version {CURRENT_VERSION} (nothing was changed): 1 row points at rows that do not exist (PRAGMA foreign_key_check lists them)"
            )
        );
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 2);
        let constraint: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'notes'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(constraint.contains("UNIQUE (deck_id, key)"), "{constraint}");
        let enforced: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(enforced, 1);
    }

    #[test]
    fn the_fresh_bits_follow_every_change_of_a_card_row() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, 0).unwrap();
        conn.execute_batch(
            "INSERT INTO decks (id, name, created_at) VALUES (1, 'D', 0);
             INSERT INTO notes (id, deck_id, key, term, definition, created_at, modified_at)
                 VALUES (7, 1, 'a', 'A', 'first', 0, 0);",
        )
        .unwrap();
        let fresh = |conn: &Connection| -> i64 {
            conn.query_row("SELECT fresh FROM notes WHERE id = 7", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(fresh(&conn), 3);
        conn.execute(
            "INSERT INTO card_states (id, note_id, suspended) VALUES (449, 7, 1)",
            [],
        )
        .unwrap();
        assert_eq!(fresh(&conn), 3, "a suspended new card is still new");
        conn.execute(
            "UPDATE card_states SET phase = 'learning' WHERE id = 449",
            [],
        )
        .unwrap();
        assert_eq!(fresh(&conn), 1);
        conn.execute(
            "INSERT INTO card_states (id, note_id, phase) VALUES (448, 7, 'review')",
            [],
        )
        .unwrap();
        assert_eq!(fresh(&conn), 0);
        conn.execute("UPDATE card_states SET phase = 'new' WHERE id = 448", [])
            .unwrap();
        assert_eq!(fresh(&conn), 1, "bit 0 is the forward card (ord 0)");
        conn.execute("DELETE FROM card_states WHERE id = 449", [])
            .unwrap();
        assert_eq!(fresh(&conn), 3);
        let bad = conn.execute("INSERT INTO card_states (id, note_id) VALUES (512, 7)", []);
        assert!(bad.is_err(), "card 512 belongs to note 8, not 7");
        let missing = conn.execute("INSERT INTO card_states (id, note_id) VALUES (450, 7)", []);
        assert!(
            missing.is_err(),
            "note 7 has no card of ord 2: its fresh bit would say it had"
        );
    }

    #[test]
    fn migration_5_keeps_every_answer_and_its_counts_and_admits_reschedule_rows() {
        let mut conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..4] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 4).unwrap();
        conn.execute_batch(
            "INSERT INTO decks (id, name, created_at) VALUES (1, 'D', 0);
             INSERT INTO notes (id, deck_id, key, term, definition, created_at, modified_at)
                 VALUES (4, 1, 'a', 'A', 'first', 0, 0);
             INSERT INTO card_states (id, note_id, phase, due_day, interval_days, ease_permille, repetitions)
                 VALUES (9, 4, 'review', 100, 6, 2360, 2);
             INSERT INTO reviews (id, card_id, reviewed_at, day, quality, duration_ms, kind, scheduler,
                 fuzz, max_interval, phase_before, interval_before, ease_before, reps_before,
                 lapses_before, step_before, phase_after, due_day_after, interval_after, ease_after,
                 reps_after, lapses_after, step_after)
             VALUES (7, 9, 1000, 94, 4, 500, 'schedule', 'sm2', 0, 3650, 'review', 1, 2500, 1, 0, 0,
                     'review', 100, 6, 2360, 2, 0, 0);",
        )
        .unwrap();
        let counts = |conn: &Connection| -> (i64, i64) {
            conn.query_row(
                "SELECT (SELECT sum(answers) FROM review_day_counts),
                        (SELECT sum(answers) FROM review_quarter_counts)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
        };
        assert_eq!(counts(&conn), (1, 1));
        migrate_to(&mut conn, 4, 5).unwrap();
        let kept: (i64, i64, i64, Option<i64>, Option<f64>) = conn
            .query_row(
                "SELECT id, fuzz, max_interval, settings_id, stability_after FROM reviews",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        assert_eq!(kept, (7, 0, 3650, None, None));
        assert_eq!(counts(&conn), (1, 1), "the counts are as they were");
        // The triggers are back: a reschedule row is admitted and counted, and its delete too.
        conn.execute_batch(
            "INSERT INTO reviews (card_id, reviewed_at, day, quality, duration_ms, kind, scheduler,
                 phase_before, interval_before, ease_before, reps_before, lapses_before, step_before,
                 phase_after, due_day_after, interval_after, ease_after, reps_after, lapses_after, step_after)
             VALUES (9, 2000, 95, 4, 0, 'reschedule', 'fsrs', 'review', 6, 2360, 2, 0, 0,
                     'review', 99, 5, 2360, 2, 0, 0);",
        )
        .unwrap();
        assert_eq!(counts(&conn), (2, 2));
        conn.execute("DELETE FROM reviews WHERE kind = 'reschedule'", [])
            .unwrap();
        assert_eq!(counts(&conn), (1, 1));
        let indexes: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reviews'
                 AND name IN ('reviews_card', 'reviews_day')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(indexes, 2);
    }

    #[test]
    fn migration_6_makes_every_note_vocab_and_renumbers_cards_keeping_states_and_log() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        for sql in &MIGRATIONS[..5] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 5).unwrap();
        conn.execute_batch(
            "INSERT INTO decks (id, name, created_at) VALUES (1, 'D', 0);
             INSERT INTO notes (id, deck_id, key, guid, term, definition, example, aliases, tags,
                                related, source, created_at, modified_at)
                 VALUES (4, 1, 'a', 'g1', 'A', 'first', 'ex', '[\"x\"]', '[\"t\"]', '[\"b\"]', 'src', 10, 20),
                        (9, 1, 'b', NULL, 'B', 'second', '', '[]', '[]', '[]', '', 11, 21);
             INSERT INTO card_states (id, note_id, phase, due_day, interval_days, ease_permille,
                                      repetitions, stability, difficulty)
                 VALUES (9, 4, 'review', 100, 6, 2360, 2, 3.5, 6.25);
             INSERT INTO card_states (id, note_id, suspended) VALUES (18, 9, 1);
             INSERT INTO reviews (id, card_id, reviewed_at, day, quality, duration_ms, kind, scheduler,
                 phase_before, interval_before, ease_before, reps_before, lapses_before, step_before,
                 phase_after, due_day_after, interval_after, ease_after, reps_after, lapses_after, step_after)
             VALUES (7, 9, 1000, 94, 4, 500, 'schedule', 'sm2', 'review', 1, 2500, 1, 0, 0,
                     'review', 100, 6, 2360, 2, 0, 0);",
        )
        .unwrap();
        let cards_before: Vec<String> = rows(
            &conn,
            "SELECT note_id, direction, phase, due_day, interval_days, ease_permille, repetitions,
                    suspended, stability, difficulty FROM cards ORDER BY id",
            |r| {
                Ok((0..10)
                    .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            },
        );
        migrate(&mut conn, 5).unwrap();
        let cards_after: Vec<String> = rows(
            &conn,
            "SELECT note_id, CASE ord WHEN 0 THEN 'forward' ELSE 'reverse' END, phase, due_day,
                    interval_days, ease_permille, repetitions, suspended, stability, difficulty
             FROM cards ORDER BY id",
            |r| {
                Ok((0..10)
                    .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            },
        );
        assert_eq!(
            cards_after, cards_before,
            "the same cards in the same states"
        );
        let ids: Vec<i64> = rows(&conn, "SELECT id FROM cards ORDER BY id", |r| r.get(0));
        assert_eq!(ids, vec![256, 257, 576, 577], "note * 64 + ord");
        let logged: Vec<(i64, i64)> = rows(&conn, "SELECT id, card_id FROM reviews", |r| {
            Ok((r.get(0)?, r.get(1)?))
        });
        assert_eq!(logged, vec![(7, 257)], "the answer follows its card");
        type NoteRow = (i64, i64, Option<String>, i64, i64, i64, String);
        let notes: Vec<NoteRow> = rows(
            &conn,
            "SELECT id, notetype_id, fields, cards, card_span, fresh, aliases FROM notes ORDER BY id",
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            },
        );
        assert_eq!(
            notes,
            vec![
                (4, 1, None, 3, 2, 1, "[\"x\"]".to_string()),
                (9, 1, None, 3, 2, 3, "[]".to_string())
            ]
        );
        let kind: String = conn
            .query_row("SELECT kind FROM notetypes WHERE id = 1", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kind, "vocab");
        // The counts did not move, and the triggers keep the fresh bits under the new ids.
        let answers: i64 = conn
            .query_row("SELECT sum(answers) FROM review_day_counts", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(answers, 1);
        conn.execute(
            "UPDATE card_states SET phase = 'learning' WHERE id = 576",
            [],
        )
        .unwrap();
        let fresh: i64 = conn
            .query_row("SELECT fresh FROM notes WHERE id = 9", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fresh, 2);
        let broken: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(broken, 0);
    }
}

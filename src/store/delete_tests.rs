//! Tests of deleting notes: what moves into `deleted_answers`, what goes, and that the
//! collection checks clean afterwards.

use super::*;
use crate::scheduler::replay::ReviewKind;
use crate::scheduler::{CardState, Moment, Quality, SchedulerKind, Settings};
use crate::store::reviews::NewReview;

/// Two decks; notes 1 (`One/a`) and 2 (`One/b`) with both cards, note 3 (`Two/c`) with a
/// forward card only and note 4 (`Two/d`) never answered.
fn collection() -> Collection {
    let collection = Collection::open_in_memory().unwrap();
    collection
        .conn()
        .execute_batch(
            "INSERT INTO decks (id, name, created_at) VALUES (1, 'One', 0), (2, 'Two', 0);
             INSERT INTO notes (id, deck_id, key, term, definition, created_at, modified_at, related)
                 VALUES (1, 1, 'a', 'A', 'a', 0, 0, '[\"b\"]'), (2, 1, 'b', 'B', 'b', 0, 0, '[]');
             INSERT INTO notes (id, deck_id, key, term, definition, created_at, modified_at, cards,
                                card_span, fresh)
                 VALUES (3, 2, 'c', 'C', 'c', 0, 0, 1, 1, 1), (4, 2, 'd', 'D', 'd', 0, 0, 1, 1, 1);",
        )
        .unwrap();
    collection
}

/// Answers `card_id` with real scheduler outcomes on days `first_day`, the day after, ...
/// (qualities in turn), as the review would commit them; `kind` cram keeps the state.
fn answer(
    collection: &mut Collection,
    card_id: i64,
    first_day: i64,
    qualities: &[u8],
    kind: ReviewKind,
) {
    let settings = Settings::default();
    let mut last_day = None;
    for (i, &q) in qualities.iter().enumerate() {
        let day = first_day + i as i64;
        let before: CardState = collection.card(card_id).unwrap().state;
        let quality = Quality::new(q).unwrap();
        let moment = Moment {
            card_id,
            today: day,
            now: day * 86_400 + 3_600,
            last_day,
        };
        let after = if kind == ReviewKind::Cram {
            before
        } else {
            SchedulerKind::Sm2
                .answer(&before, quality, &moment, &settings)
                .unwrap()
                .state
        };
        let review = NewReview {
            card_id,
            reviewed_at_ms: moment.now * 1000,
            day,
            quality,
            duration_ms: 1_000 + i as i64,
            kind,
            scheduler: SchedulerKind::Sm2,
            settings,
            retrievability: None,
        };
        collection
            .commit_answer(&review, &before, &after, false)
            .unwrap();
        last_day = Some(day);
    }
}

fn count(collection: &Collection, sql: &str) -> i64 {
    collection.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Notes 1 and 3 answered (2 + 3 + 1 + 3 rows), note 2 answered once.
fn answered() -> Collection {
    let mut collection = collection();
    answer(&mut collection, 64, 10, &[4, 5], ReviewKind::Schedule);
    answer(&mut collection, 65, 10, &[1, 4, 4], ReviewKind::Schedule);
    answer(&mut collection, 65, 13, &[3], ReviewKind::Cram);
    answer(&mut collection, 128, 10, &[4], ReviewKind::Schedule);
    answer(&mut collection, 192, 11, &[2, 4, 5], ReviewKind::Schedule);
    collection
}

/// The collection is sound: SQLite's checks, the per-day counts equal to the log, and every
/// card's log replaying to its stored state (what `jargon check` proves).
fn assert_checks_clean(collection: &Collection) {
    assert_eq!(collection.integrity_check().unwrap(), Vec::<String>::new());
    assert_eq!(collection.stats_counts_differences().unwrap(), 0);
    let settings = collection.settings_table().unwrap();
    let mut logs: std::collections::HashMap<i64, Vec<_>> = std::collections::HashMap::new();
    collection
        .for_each_review_by_card(|row| {
            logs.entry(row.card_id).or_default().push(row);
            Ok(())
        })
        .unwrap();
    collection
        .for_each_card(|card| {
            let log = logs.remove(&card.id).unwrap_or_default();
            let problems = crate::cli::check::check_card(
                card.id,
                card.id, // no seeds in this collection: the fuzz card id is the card's own
                &card.state,
                &log,
                &settings,
                SchedulerKind::Sm2,
            );
            assert!(problems.is_empty(), "{problems:?}");
            Ok(())
        })
        .unwrap();
    assert!(logs.is_empty(), "reviews of missing cards: {logs:?}");
    assert!(collection.notes_with_unreadable_lists().unwrap().is_empty());
}

#[test]
fn deleting_notes_moves_their_answers_and_removes_their_rows() {
    let mut collection = answered();
    assert_checks_clean(&collection);
    let total = count(&collection, "SELECT count(*) FROM reviews");
    assert_eq!(total, 10);
    // Note 4 was never answered: it has no card_states row.
    let preview = collection.deletion_preview(&[1, 4, 1]).unwrap();
    let expected = Deleted {
        notes: 2,
        cards: 3,
        answers: 6,
    };
    assert_eq!(preview, expected);
    assert_eq!(count(&collection, "SELECT count(*) FROM reviews"), total);
    // A flag change recorded for a card of note 1, and one for note 2's card.
    collection
        .conn()
        .execute_batch("INSERT INTO card_flag_times (card_id, suspend_ms) VALUES (64, 1), (128, 2)")
        .unwrap();

    let deleted = collection.delete_notes(&[1, 4, 1]).unwrap();
    assert_eq!(deleted, expected);
    assert_eq!(
        count(&collection, "SELECT count(*) FROM notes WHERE id IN (1, 4)"),
        0
    );
    assert_eq!(
        count(
            &collection,
            "SELECT count(*) FROM card_states WHERE note_id = 1"
        ),
        0
    );
    assert_eq!(
        count(
            &collection,
            "SELECT count(*) FROM reviews WHERE card_id / 64 = 1"
        ),
        0
    );
    assert_eq!(
        count(&collection, "SELECT count(*) FROM reviews"),
        total - 6
    );
    // The other notes and their answers are untouched.
    assert_eq!(count(&collection, "SELECT count(*) FROM notes"), 2);
    assert_eq!(
        count(&collection, "SELECT sum(card_id) FROM card_flag_times"),
        128,
        "the deleted card's flag time goes with it"
    );
    assert_eq!(
        count(&collection, "SELECT count(*) FROM card_states"),
        2,
        "cards 128 and 192"
    );
    let names: Vec<(String, i64)> = collection
        .conn()
        .prepare("SELECT note, count(*) FROM deleted_answers GROUP BY note")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(names, [("One/a".to_string(), 6)]);
    // The decks stay, the emptied one too once note 3 goes.
    collection.delete_notes(&[3]).unwrap();
    assert_eq!(count(&collection, "SELECT count(*) FROM decks"), 2);
    // Note 2 keeps its answer, although note 1's related key named it and note 1 is gone.
    assert_eq!(
        count(
            &collection,
            "SELECT count(*) FROM reviews WHERE card_id = 128"
        ),
        1
    );
    assert_checks_clean(&collection);
}

#[test]
fn the_per_day_counts_lose_exactly_the_deleted_answers() {
    let mut collection = answered();
    let days = "SELECT coalesce(sum(answers), 0) FROM review_day_counts";
    let quarters = "SELECT coalesce(sum(answers), 0) FROM review_quarter_counts";
    let time = "SELECT coalesce(sum(time_ms), 0) FROM review_day_counts";
    assert_eq!(count(&collection, days), 10);
    let time_before = count(&collection, time);
    let time_of_3 = count(
        &collection,
        "SELECT sum(duration_ms) FROM reviews WHERE card_id = 192",
    );
    collection.delete_notes(&[3]).unwrap();
    assert_eq!(count(&collection, days), 7);
    assert_eq!(count(&collection, quarters), 7);
    assert_eq!(count(&collection, time), time_before - time_of_3);
    assert_eq!(collection.stats_counts_differences().unwrap(), 0);
    collection.delete_notes(&[1, 2]).unwrap();
    assert_eq!(count(&collection, days), 0);
    assert_eq!(
        count(&collection, "SELECT count(*) FROM review_day_counts"),
        0,
        "no row left at zero"
    );
    assert_eq!(
        count(&collection, "SELECT count(*) FROM review_quarter_counts"),
        0
    );
    assert_checks_clean(&collection);
}

#[test]
fn an_archived_answer_holds_every_column_of_its_row() {
    let mut collection = answered();
    // One row published by sync, with its order time, to see gid carried over.
    collection
        .conn()
        .execute(
            "UPDATE reviews SET gid = 'dev1-7', order_ms = 123 WHERE id = (SELECT min(id) FROM reviews WHERE card_id = 65)",
            [],
        )
        .unwrap();
    let columns: Vec<String> = collection
        .conn()
        .prepare("SELECT name FROM pragma_table_info('reviews') ORDER BY cid")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for column in [
        "id",
        "card_id",
        "reviewed_at",
        "settings_id",
        "gid",
        "order_ms",
    ] {
        assert!(columns.iter().any(|c| c == column), "{columns:?}");
    }
    // Every row of note 1 as stored, each column as JSON, with its settings' text.
    let mut stored: Vec<Map<String, Value>> = vec![];
    {
        let mut stmt = collection
            .conn()
            .prepare(
                "SELECT r.*, s.body FROM reviews r LEFT JOIN scheduler_settings s ON s.id = r.settings_id
                 WHERE card_id IN (64, 65) ORDER BY r.id",
            )
            .unwrap();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let mut object = Map::new();
            for (at, column) in columns.iter().enumerate() {
                object.insert(
                    column.clone(),
                    json_value(row.get_ref(at).unwrap(), at).unwrap(),
                );
            }
            let body: String = row.get(columns.len()).unwrap();
            object.insert("settings_body".into(), Value::from(body));
            stored.push(object);
        }
    }
    assert_eq!(stored.len(), 6);
    collection.delete_notes(&[1]).unwrap();

    let archived: Vec<(Option<String>, String, String)> = collection
        .conn()
        .prepare("SELECT gid, note, body FROM deleted_answers ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(archived.len(), 6);
    for ((gid, note, body), expected) in archived.iter().zip(&stored) {
        assert_eq!(note, "One/a");
        let body: Map<String, Value> = serde_json::from_str(body).unwrap();
        // Every column by name, and the four additions, nothing else.
        assert_eq!(body.len(), columns.len() + 4, "{body:?}");
        for column in &columns {
            assert_eq!(body.get(column), expected.get(column), "{column}");
        }
        // Values keep their SQLite types: integers, text, reals or null.
        assert!(
            body["reviewed_at"].is_i64() && body["quality"].is_i64(),
            "{body:?}"
        );
        assert!(
            body["kind"].is_string() && body["phase_after"].is_string(),
            "{body:?}"
        );
        assert!(
            body["stability_after"].is_null(),
            "sm2 keeps no memory state"
        );
        let card_id = body["card_id"].as_i64().unwrap();
        assert_eq!(body["ord"], Value::from(card_id - 64));
        assert_eq!(body["deck"], Value::from("One"));
        assert_eq!(body["key"], Value::from("a"));
        assert_eq!(body["settings_body"], expected["settings_body"]);
        assert!(
            body["settings_body"]
                .as_str()
                .is_some_and(|text| text == Settings::default().body()),
            "{body:?}"
        );
        assert_eq!(
            gid.as_ref().map(|g| Value::from(g.as_str())),
            match &body["gid"] {
                Value::Null => None,
                other => Some(other.clone()),
            }
        );
    }
    assert_eq!(archived.iter().filter(|(gid, ..)| gid.is_some()).count(), 1);
    let published: Map<String, Value> = serde_json::from_str(
        &archived
            .iter()
            .find(|(gid, ..)| gid.as_deref() == Some("dev1-7"))
            .unwrap()
            .2,
    )
    .unwrap();
    assert_eq!(published["order_ms"], Value::from(123));
    assert_eq!(published["ord"], Value::from(1));
    // The cram row carries its kind; rows from before migration 5 (no settings) carry null.
    assert!(
        archived
            .iter()
            .any(|(_, _, body)| body.contains("\"kind\":\"cram\""))
    );
}

#[test]
fn a_row_without_settings_archives_null_settings() {
    let mut collection = answered();
    collection
        .conn()
        .execute(
            "UPDATE reviews SET settings_id = NULL WHERE card_id = 192",
            [],
        )
        .unwrap();
    collection.delete_notes(&[3]).unwrap();
    let bodies: Vec<String> = collection
        .conn()
        .prepare("SELECT body FROM deleted_answers")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(bodies.len(), 3);
    for body in bodies {
        let body: Map<String, Value> = serde_json::from_str(&body).unwrap();
        assert_eq!(body["settings_body"], Value::Null);
        assert_eq!(body["settings_id"], Value::Null);
        assert_eq!(body["deck"], Value::from("Two"));
        assert_eq!(body["ord"], Value::from(0));
    }
}

#[test]
fn an_unknown_note_deletes_nothing() {
    let mut collection = answered();
    let before = count(&collection, "SELECT count(*) FROM reviews");
    let error = collection.delete_notes(&[1, 99]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "there is no note 99 in the collection; nothing was deleted"
    );
    assert_eq!(count(&collection, "SELECT count(*) FROM reviews"), before);
    assert_eq!(count(&collection, "SELECT count(*) FROM notes"), 4);
    assert_eq!(
        count(&collection, "SELECT count(*) FROM deleted_answers"),
        0
    );
    assert!(collection.deletion_preview(&[99]).is_err());
}

#[test]
fn the_sync_merge_deletes_inside_its_own_transaction_under_its_own_names() {
    let mut collection = answered();
    let tx = collection.conn_mut().transaction().unwrap();
    let deleted = delete_notes_in(
        &tx,
        &[(3, "gid-of-c".to_string()), (3, "again".to_string())],
    )
    .unwrap();
    assert_eq!(
        deleted,
        Deleted {
            notes: 1,
            cards: 1,
            answers: 3
        }
    );
    // The caller's transaction decides: rolled back, nothing happened.
    tx.rollback().unwrap();
    assert_eq!(count(&collection, "SELECT count(*) FROM notes"), 4);
    assert_eq!(
        count(&collection, "SELECT count(*) FROM deleted_answers"),
        0
    );
    let tx = collection.conn_mut().transaction().unwrap();
    delete_notes_in(&tx, &[(3, "gid-of-c".to_string())]).unwrap();
    tx.commit().unwrap();
    assert_eq!(
        count(
            &collection,
            "SELECT count(*) FROM deleted_answers WHERE note = 'gid-of-c'"
        ),
        3
    );
    assert_checks_clean(&collection);
}

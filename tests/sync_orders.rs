//! `jargon sync` in every order (issue 20): three devices and one shared folder run the same
//! offline scenario (answers on each, some on the same cards the same day with different
//! grades; one note edited on three devices at different times; a note deleted on one device
//! while answered on two others; a travelling setting changed on two devices; a half-copied
//! segment in the folder), once for each of the six orders of their syncs (the first syncs and
//! every round after them in that order). In every order the three collections end equal (one
//! fingerprint, every answer once, `check` passing, the latest edit and setting everywhere),
//! and what they hold, seen without local ids or device ids, is the same whatever the order.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::common::Env;
use crate::common::sync::{DECK, device, fingerprint, review, review_deck, sync};

/// The other built-in deck studied before the first syncs, so that what each device studies
/// after them does not depend on which answers it has received.
const FIRST_DECK: &str = "ML::Foundations";
/// The note edited on three devices; B's edit is the latest.
const EDITED: &str = "airflow";
const CREATED: &str = "2026-12-01T08:00:00Z";
/// Every read at the end happens at this time, so `retrievability` is comparable.
const READ_AT: &str = "2026-12-03T08:00:00Z";
const NAMES: [&str; 3] = ["A", "B", "C"];

/// What a collection holds, without local ids (note and card ids) or device ids.
#[derive(Debug, Clone, PartialEq)]
struct Projection {
    /// `deck/key template` -> the card as `cards --json` prints it, ids removed.
    cards: BTreeMap<String, Value>,
    /// Every row of `export reviews --format json`, ids removed, sorted.
    answers: Vec<String>,
    /// Answers kept aside with their deleted note: the note, the answer's time, day and grade.
    deleted: Vec<String>,
    leech_lapses: String,
}

#[test]
fn three_devices_converge_to_the_same_collection_in_every_order_of_their_syncs() {
    let orders = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    // Two orders at a time: each runs about fifty short commands one after another.
    let mut results: Vec<([usize; 3], Projection)> = Vec::new();
    for pair in orders.chunks(2) {
        let handles: Vec<_> = pair
            .iter()
            .map(|&order| std::thread::spawn(move || (order, run_in_order(order))))
            .collect();
        for handle in handles {
            results.push(handle.join().expect("an order's run panicked"));
        }
    }
    let (first_order, first) = &results[0];
    for (order, projection) in &results[1..] {
        let differences = differences(first, projection);
        assert!(
            differences.is_empty(),
            "syncing in the order {} and in the order {} left different collections:\n{}",
            named(first_order),
            named(order),
            differences.join("\n")
        );
    }
}

/// The devices' names in sync order, as "B, A, C".
fn named(order: &[usize; 3]) -> String {
    order
        .iter()
        .map(|&i| NAMES[i])
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs the scenario with every round of syncs in `order`; asserts the three collections
/// converged; returns their common projection.
fn run_in_order(order: [usize; 3]) -> Projection {
    let shared = tempfile::tempdir().expect("temp dir");
    let dir = shared.path();
    let mut devices = [device(CREATED), device(CREATED), device(CREATED)];
    for env in &devices {
        env.ok(&["decks"]);
    }
    let (a, b, c) = (0, 1, 2);

    // Day 1, before any sync: A and C study the same new cards of another deck with different
    // grades, and C edits the note that A and B edit the next day.
    review_deck(
        &mut devices[a],
        FIRST_DECK,
        "2026-12-01T08:30:00Z",
        "\ng\n\ng\n\na\n\ng\n",
        "3",
    );
    review_deck(
        &mut devices[c],
        FIRST_DECK,
        "2026-12-01T08:40:00Z",
        "\nh\n\ne\n",
        "2",
    );
    edit(&mut devices[c], "2026-12-01T08:45:00Z", "edited on C");

    // The first syncs, in this order.
    for (k, &i) in order.iter().enumerate() {
        devices[i].now = format!("2026-12-01T20:0{k}:00Z");
        let out = sync(&devices[i], Some(dir));
        assert!(out.contains("This collection is device"), "{out}");
    }

    // Day 2, offline: A, B and C study the same new cards of the deck with different grades
    // (C more of them), A and then B edit the note C edited, A and then C change a setting
    // that travels, and B deletes a note that A and C answered and B did not.
    review(
        &mut devices[a],
        "2026-12-02T09:00:00Z",
        "\ng\n\ng\n\na\n\ng\n",
        "3",
    );
    review(&mut devices[b], "2026-12-02T09:20:00Z", "\ne\n\ng\n", "2");
    review(
        &mut devices[c],
        "2026-12-02T18:00:00Z",
        "\ng\n\nh\n\ng\n\ng\n",
        "4",
    );
    edit(&mut devices[a], "2026-12-02T10:00:00Z", "edited on A");
    edit(&mut devices[b], "2026-12-02T11:00:00Z", "edited on B");
    set_leech_lapses(&mut devices[a], "2026-12-02T10:30:00Z", "6");
    set_leech_lapses(&mut devices[c], "2026-12-02T12:00:00Z", "5");
    let answered_by = |env: &Env| -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for row in export_reviews(env) {
            let key = row["note_key"].as_str().expect("note_key").to_string();
            if row["deck"] == DECK && row["day"] == 20789 && !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    };
    let by_a = answered_by(&devices[a]);
    let by_b = answered_by(&devices[b]);
    let by_c = answered_by(&devices[c]);
    let deleted = by_a
        .iter()
        .find(|key| !by_b.contains(key))
        .expect("A answered a note B did not")
        .clone();
    assert!(by_c.contains(&deleted), "C answered {by_c:?}");
    devices[b].now = "2026-12-02T12:30:00Z".into();
    devices[b].ok(&["delete", &format!("{DECK}/{deleted}"), "--yes"]);
    // A segment half copied by a sync tool: no newline at its end; it waits.
    let half = dir.join("0123456789abcdef0123456789abcdef");
    std::fs::create_dir(&half).expect("mkdir");
    std::fs::write(half.join("00000001.jsonl"), b"{\"v\":1,\"device\":\"0123").expect("write");

    // Two rounds in the same order: after them every device has read every other.
    for round in 0..2 {
        for (k, &i) in order.iter().enumerate() {
            devices[i].now = format!("2026-12-02T20:{round}{k}:00Z");
            sync(&devices[i], None);
        }
    }
    // A third round finds nothing to send or read.
    for (k, &i) in order.iter().enumerate() {
        devices[i].now = format!("2026-12-02T20:2{k}:00Z");
        let out = sync(&devices[i], None);
        assert!(
            out.starts_with("Sent 0 events; received 0 events"),
            "order {}, {}: {out}",
            named(&order),
            NAMES[i]
        );
    }

    for env in &mut devices {
        env.now = READ_AT.into();
    }
    let context = format!("order {}", named(&order));
    assert_converged(&devices, &context, &deleted);
    projection(&devices[a])
}

fn edit(env: &mut Env, now: &str, definition: &str) {
    env.now = now.into();
    env.ok(&[
        "edit",
        &format!("{DECK}/{EDITED}"),
        "--definition",
        definition,
    ]);
}

fn set_leech_lapses(env: &mut Env, now: &str, value: &str) {
    env.now = now.into();
    env.ok(&["config", "set", "leech_lapses", value]);
}

fn export_reviews(env: &Env) -> Vec<Value> {
    let out = env.ok(&["export", "reviews", "--format", "json"]);
    match serde_json::from_str(&out).expect("the review log as JSON") {
        Value::Array(rows) => rows,
        other => panic!("not a list: {other}"),
    }
}

/// The three collections hold the same thing: one fingerprint, every answer exactly once
/// (in the log or kept aside with the deleted note), `check` passing, the latest edit, the
/// deleted note gone, the same projection.
fn assert_converged(devices: &[Env; 3], context: &str, deleted: &str) {
    let fingerprints: Vec<String> = devices.iter().map(fingerprint).collect();
    assert!(
        fingerprints.iter().all(|f| *f == fingerprints[0]),
        "{context}: fingerprints {fingerprints:?}"
    );
    let mut everywhere: Option<Vec<String>> = None;
    for (name, env) in NAMES.iter().zip(devices) {
        let context = format!("{context}, {name}");
        // Every answer once: in the log, or kept aside with the deleted note; never both.
        let logged = column(env, "SELECT gid FROM reviews");
        let aside = column(env, "SELECT gid FROM deleted_answers");
        let mut all: Vec<String> = logged.iter().chain(&aside).cloned().collect();
        all.sort();
        let unique: BTreeSet<&String> = all.iter().collect();
        assert_eq!(
            unique.len(),
            all.len(),
            "{context}: an answer twice: {all:?}"
        );
        assert_eq!(
            export_reviews(env).len(),
            logged.len(),
            "{context}: the export's rows and the log's answers"
        );
        // Each device's own answers are its whole share: nothing lost.
        let own: i64 = env.sql(
            "SELECT count(*) FROM reviews WHERE gid LIKE (SELECT device FROM sync_state) || '-%'",
        );
        assert!(own > 0, "{context}: none of its own answers is left");
        match &everywhere {
            None => everywhere = Some(all),
            Some(first) => assert_eq!(first, &all, "{context}: another set of answers"),
        }
        let out = env.ok(&["check"]);
        assert!(out.starts_with("ok:"), "{context}: {out}");
        let definition: String = env.sql(&format!(
            "SELECT definition FROM notes WHERE key = '{EDITED}'"
        ));
        assert_eq!(definition, "edited on B", "{context}: the latest edit");
        let lapses = env.ok(&["config", "get", "leech_lapses"]);
        assert_eq!(
            lapses.trim(),
            "5",
            "{context}: C's later change of the setting"
        );
        let left: i64 = env.sql(&format!(
            "SELECT count(*) FROM notes WHERE key = '{deleted}'"
        ));
        assert_eq!(left, 0, "{context}: the deleted note came back");
        let kept: i64 = env.sql(&format!(
            "SELECT count(*) FROM deleted_answers WHERE note = '{DECK}/{deleted}'"
        ));
        assert!(
            kept >= 2,
            "{context}: A's and C's answers to the deleted note: {kept}"
        );
    }
    // A's answers (4 + 4 rows), B's (2) and C's (2 + 4), each counted once everywhere.
    let all = everywhere.expect("three devices");
    assert_eq!(all.len(), 16, "{context}: {all:?}");
    let first = projection(&devices[0]);
    for (name, env) in NAMES.iter().zip(devices).skip(1) {
        let differences = differences(&first, &projection(env));
        assert!(
            differences.is_empty(),
            "{context}: A and {name} differ:\n{}",
            differences.join("\n")
        );
    }
}

/// One text column of every row of `query`.
fn column(env: &Env, query: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(&env.db).expect("open db");
    let mut stmt = conn.prepare(query).expect("prepare");
    stmt.query_map([], |r| r.get::<_, Option<String>>(0))
        .expect("query")
        .map(|g| g.expect("row").expect("every answer has a global id"))
        .collect()
}

fn projection(env: &Env) -> Projection {
    let out = env.ok(&["cards", "--json"]);
    let Value::Array(list) = serde_json::from_str(&out).expect("cards as JSON") else {
        panic!("cards --json is not a list");
    };
    let mut cards = BTreeMap::new();
    for mut card in list {
        let name = format!(
            "{}/{} {}",
            card["deck"].as_str().expect("deck"),
            card["key"].as_str().expect("key"),
            card["template"].as_str().expect("template")
        );
        let object = card.as_object_mut().expect("a card is an object");
        object.remove("card_id");
        object.remove("note_id");
        assert!(cards.insert(name.clone(), card).is_none(), "{name} twice");
    }
    let mut answers: Vec<String> = export_reviews(env)
        .into_iter()
        .map(|mut row| {
            let object = row.as_object_mut().expect("a row is an object");
            object.remove("card_id");
            // A session's clock is the fixed time plus the milliseconds it has run, which vary
            // from run to run, as does the time an answer took: seconds are compared.
            object.remove("review_duration");
            let time = object["review_time"].as_str().expect("review_time");
            let seconds = Value::String(time[..19].to_string());
            object.insert("review_time".into(), seconds);
            row.to_string()
        })
        .collect();
    answers.sort();
    let conn = rusqlite::Connection::open(&env.db).expect("open db");
    let mut stmt = conn
        .prepare("SELECT note, body FROM deleted_answers")
        .expect("prepare");
    let mut deleted: Vec<String> = stmt
        .query_map([], |r| {
            Ok(format!(
                "{} {}",
                r.get::<_, String>(0)?,
                without_ids(&r.get::<_, String>(1)?)
            ))
        })
        .expect("query")
        .map(|row| row.expect("row"))
        .collect();
    deleted.sort();
    Projection {
        cards,
        answers,
        deleted,
        leech_lapses: env
            .ok(&["config", "get", "leech_lapses"])
            .trim()
            .to_string(),
    }
}

/// What a kept answer is, whichever form it was kept in: the row it had here when its note
/// was deleted (`reviewed_at`, `quality`, ...) or the event it arrived in after the deletion
/// (`data.reviewed_at_ms`, `data.rating`, ...). The two forms differ from device to device
/// for the same answer, so only this is compared.
fn without_ids(body: &str) -> String {
    let value: Value = serde_json::from_str(body).expect("a kept answer is JSON");
    let (at, day, grade, kind) = match value.get("data") {
        Some(data) => (
            &data["reviewed_at_ms"],
            &data["day"],
            &data["rating"],
            &data["kind"],
        ),
        None => (
            &value["reviewed_at"],
            &value["day"],
            &value["quality"],
            &value["kind"],
        ),
    };
    assert!(
        at.is_i64() && day.is_i64() && grade.is_u64() && kind.is_string(),
        "a kept answer in neither form: {body}"
    );
    let seconds = at.as_i64().unwrap_or_default().div_euclid(1000);
    format!("at {seconds} s day {day} grade {grade} {kind}")
}

/// What differs between two projections, one line each (empty when equal).
fn differences(left: &Projection, right: &Projection) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = left.cards.keys().chain(right.cards.keys()).collect();
    for name in names {
        match (left.cards.get(name), right.cards.get(name)) {
            (Some(l), Some(r)) if l != r => {
                let fields: BTreeSet<&String> = l
                    .as_object()
                    .into_iter()
                    .chain(r.as_object())
                    .flat_map(|o| o.keys())
                    .collect();
                for field in fields {
                    if l.get(field) != r.get(field) {
                        out.push(format!(
                            "card {name}: {field} {} vs {}",
                            l.get(field).unwrap_or(&Value::Null),
                            r.get(field).unwrap_or(&Value::Null)
                        ));
                    }
                }
            }
            (Some(_), None) => out.push(format!("card {name} only on the first")),
            (None, Some(_)) => out.push(format!("card {name} only on the second")),
            _ => {}
        }
    }
    let (l, r): (BTreeSet<&String>, BTreeSet<&String>) = (
        left.answers.iter().collect(),
        right.answers.iter().collect(),
    );
    for row in l.difference(&r) {
        out.push(format!("answer only on the first: {row}"));
    }
    for row in r.difference(&l) {
        out.push(format!("answer only on the second: {row}"));
    }
    if left.deleted != right.deleted {
        out.push(format!(
            "kept answers {:?} vs {:?}",
            left.deleted, right.deleted
        ));
    }
    if left.leech_lapses != right.leech_lapses {
        out.push(format!(
            "leech_lapses {} vs {}",
            left.leech_lapses, right.leech_lapses
        ));
    }
    out
}

/// Regression: a travelling setting was published with the time of the sync that found the
/// change, so of two machines' offline changes the one synced last won, even when it was
/// made first, and the result depended on the order of the syncs.
#[test]
fn a_setting_changed_on_two_devices_keeps_the_later_change_when_the_earlier_one_syncs_last() {
    let shared = tempfile::tempdir().expect("temp dir");
    let dir = shared.path();
    let mut a = device(CREATED);
    let mut b = device(CREATED);
    sync(&a, Some(dir));
    sync(&b, Some(dir));
    set_leech_lapses(&mut a, "2026-12-02T10:30:00Z", "6");
    set_leech_lapses(&mut b, "2026-12-02T12:00:00Z", "5");
    // B's later change reaches the folder first, A's earlier one after it.
    b.now = "2026-12-02T13:00:00Z".into();
    sync(&b, None);
    a.now = "2026-12-02T14:00:00Z".into();
    sync(&a, None);
    b.now = "2026-12-02T15:00:00Z".into();
    sync(&b, None);
    for env in [&a, &b] {
        assert_eq!(env.ok(&["config", "get", "leech_lapses"]).trim(), "5");
    }
    assert_eq!(fingerprint(&a), fingerprint(&b));
}

/// Regression: a burial was published with the time of the sync that found it, so of two
/// devices' burials of one card (on different days) the one synced last won: the card stayed
/// hidden on the later day or not depending on the order of the syncs.
#[test]
fn a_card_buried_on_two_devices_keeps_the_later_burial_in_either_order_of_their_syncs() {
    for a_syncs_last in [false, true] {
        let shared = tempfile::tempdir().expect("temp dir");
        let dir = shared.path();
        let mut a = device(CREATED);
        let mut b = device(CREATED);
        sync(&a, Some(dir));
        sync(&b, Some(dir));
        // The same first card buried on A on day 2 and on B on day 3.
        review(&mut a, "2026-12-02T09:00:00Z", ":bury\n", "1");
        review(&mut b, "2026-12-03T09:00:00Z", ":bury\n", "1");
        let (first, second) = if a_syncs_last {
            (&mut b, &mut a)
        } else {
            (&mut a, &mut b)
        };
        first.now = "2026-12-03T20:00:00Z".into();
        sync(first, None);
        second.now = "2026-12-03T20:01:00Z".into();
        sync(second, None);
        first.now = "2026-12-03T20:02:00Z".into();
        sync(first, None);
        for env in [&a, &b] {
            let buried: Vec<i64> = {
                let conn = rusqlite::Connection::open(&env.db).expect("open db");
                let mut stmt = conn
                    .prepare("SELECT buried_day FROM card_states WHERE buried_day IS NOT NULL")
                    .expect("prepare");
                stmt.query_map([], |r| r.get(0))
                    .expect("query")
                    .map(|d| d.expect("row"))
                    .collect()
            };
            assert_eq!(buried, [20790], "A synced last: {a_syncs_last}");
        }
        assert_eq!(fingerprint(&a), fingerprint(&b));
    }
}

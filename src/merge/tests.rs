//! The merge against folders written event by event: the per-day answer counts stay those of
//! the log whatever the merge wrote, deleted or renumbered, and the trigger that keeps them
//! is the one the collection had.

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::store::Collection;
use crate::sync::device::{self, DeviceId};
use crate::sync::event::{
    Answer, AnswerKind, Body, CardRef, Event, NoteAdd, NoteDelete, answer_id,
};
use crate::sync::segment::{Thresholds, Writer};

const BASE_MS: i64 = 1_764_000_000_000;
const BASE_DAY: i64 = 20_400;

struct Folder {
    dir: std::path::PathBuf,
    device: DeviceId,
    writer: Writer,
    seq: u64,
}

impl Folder {
    fn new(dir: &Path, id: &str) -> Folder {
        let device = DeviceId::parse(id).unwrap();
        let instance = DeviceId::parse(&id.chars().rev().collect::<String>()).unwrap();
        device::claim(dir, &device, &instance, BASE_MS)
            .unwrap()
            .into_result()
            .unwrap();
        let (writer, _) = Writer::open(dir, &device, Thresholds::default()).unwrap();
        Folder {
            dir: dir.to_path_buf(),
            device,
            writer,
            seq: 1,
        }
    }

    fn push(&mut self, at_ms: i64, body: Body) {
        let event = Event::new(self.device.clone(), self.seq, at_ms, body);
        self.seq += 1;
        self.writer.append(&[event]).unwrap();
    }

    fn add(&mut self, key: &str) {
        let mut fields = Map::new();
        fields.insert("term".into(), Value::String(format!("term {key}")));
        fields.insert(
            "definition".into(),
            Value::String(format!("meaning of {key}")),
        );
        self.push(
            BASE_MS,
            Body::NoteAdd(NoteAdd {
                note: format!("T/{key}"),
                deck: "T".into(),
                key: key.into(),
                notetype: "vocab".into(),
                notetype_def: None,
                seed: key.len() as i64 * 7919,
                fields,
                untouched: false,
            }),
        );
    }

    fn answer(&mut self, key: &str, day: i64, rating: u8) {
        self.answer_with(key, day, rating, "sm2");
    }

    fn answer_with(&mut self, key: &str, day: i64, rating: u8, scheduler: &str) {
        let at = BASE_MS + day * 86_400_000 + i64::from(rating) * 1000;
        let id = answer_id(&self.device, self.seq);
        self.push(
            at,
            Body::Answer(Answer {
                id,
                card: CardRef {
                    note: format!("T/{key}"),
                    ord: 0,
                },
                reviewed_at_ms: at,
                day: BASE_DAY + day,
                rating,
                duration_ms: 2_000 + u64::from(rating) * 100,
                kind: AnswerKind::Schedule,
                scheduler: scheduler.into(),
                settings: json!({ "body": crate::scheduler::Settings::default().body() }),
            }),
        );
    }

    fn delete(&mut self, key: &str, day: i64) {
        self.push(
            BASE_MS + day * 86_400_000,
            Body::NoteDelete(NoteDelete {
                note: format!("T/{key}"),
            }),
        );
    }
}

fn trigger_sql(collection: &Collection) -> String {
    collection
        .conn()
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'reviews_counts_insert'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

fn answers(collection: &Collection) -> i64 {
    collection
        .conn()
        .query_row("SELECT count(*) FROM reviews", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_merge_that_deletes_the_last_rows_it_wrote_still_counts_every_answer_it_keeps() {
    let temp = tempfile::tempdir().unwrap();
    let shared = temp.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let mut other = Folder::new(&shared, "0123456789abcdef0123456789abcdef");
    other.add("a");
    other.add("bb");
    for day in 0..3 {
        other.answer("a", day, 4);
        other.answer("bb", day, 3);
    }
    // "bb" goes with the rows written last; "a" gains rows after, whose ids the deletion
    // freed.
    other.delete("bb", 4);
    for day in 3..6 {
        other.answer("a", day, if day == 4 { 1 } else { 4 });
    }
    let mut collection = Collection::open(&temp.path().join("c.sqlite")).unwrap();
    let before = trigger_sql(&collection);
    let report = crate::merge::sync(&mut collection, Some(&other.dir), BASE_MS, false).unwrap();
    assert_eq!(report.answers_added, 9, "{report:?}");
    assert_eq!(answers(&collection), 6, "a's six answers are in the log");
    assert_eq!(collection.stats_counts_differences().unwrap(), 0);
    assert_eq!(trigger_sql(&collection), before);
    let counted: i64 = collection
        .conn()
        .query_row("SELECT sum(answers) FROM review_day_counts", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(counted, 6);
}

#[test]
fn answers_that_sort_before_those_already_merged_are_counted_once_after_the_renumbering() {
    let temp = tempfile::tempdir().unwrap();
    let shared = temp.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let mut first = Folder::new(&shared, "1111111111111111aaaaaaaaaaaaaaaa");
    first.add("a");
    first.add("bb");
    for day in [1, 3, 5] {
        first.answer("a", day, 4);
        first.answer("bb", day, 4);
    }
    let mut collection = Collection::open(&temp.path().join("c.sqlite")).unwrap();
    crate::merge::sync(&mut collection, Some(&shared), BASE_MS, false).unwrap();
    assert_eq!(collection.stats_counts_differences().unwrap(), 0);
    // A second device's answers fall between the first's: "a" is replayed whole, its rows
    // renumbered; "bb" only gains later ones.
    let mut second = Folder::new(&shared, "2222222222222222bbbbbbbbbbbbbbbb");
    second.add("a");
    for day in [2, 4] {
        second.answer("a", day, 2);
    }
    second.answer("bb", 7, 1);
    let report = crate::merge::sync(&mut collection, None, BASE_MS + 1, false).unwrap();
    assert_eq!(report.answers_added, 3, "{report:?}");
    assert_eq!(answers(&collection), 9);
    assert_eq!(collection.stats_counts_differences().unwrap(), 0);
    // The log's order by id is the merge's order for every card.
    let days: Vec<i64> = {
        let mut stmt = collection
            .conn()
            .prepare("SELECT day FROM reviews WHERE card_id = (SELECT min(card_id) FROM reviews) ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(days, [1, 2, 3, 4, 5].map(|d| BASE_DAY + d));
}

/// Every answer's states by global id, and every card's state, as one comparable text.
fn states(collection: &Collection) -> String {
    let mut out = String::new();
    let conn = collection.conn();
    let mut stmt = conn
        .prepare(
            "SELECT json_array(gid, phase_before, due_day_before, interval_before, ease_before,
                 reps_before, lapses_before, step_before, stability_before, difficulty_before,
                 phase_after, due_day_after, due_at_after, interval_after, ease_after, reps_after,
                 lapses_after, step_after, stability_after, difficulty_after, retrievability)
             FROM reviews ORDER BY gid",
        )
        .unwrap();
    for row in stmt.query_map([], |r| r.get::<_, String>(0)).unwrap() {
        out.push_str(&row.unwrap());
        out.push('\n');
    }
    let mut stmt = conn
        .prepare(
            "SELECT json_array(id, phase, due_day, due_at, interval_days, ease_permille,
                 repetitions, lapses, step, stability, difficulty)
             FROM card_states ORDER BY id",
        )
        .unwrap();
    for row in stmt.query_map([], |r| r.get::<_, String>(0)).unwrap() {
        out.push_str(&row.unwrap());
        out.push('\n');
    }
    out
}

#[test]
fn a_merge_that_writes_its_answers_in_many_small_batches_ends_as_one_that_writes_them_at_once() {
    let temp = tempfile::tempdir().unwrap();
    let shared = temp.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let mut other = Folder::new(&shared, "0123456789abcdef0123456789abcdef");
    let keys = ["a", "bb", "ccc", "dddd", "eeeee", "ffffff"];
    for key in keys {
        other.add(key);
    }
    // Answers a day on every card, two cards under FSRS (which reads the answers before),
    // one note deleted half way.
    for day in 0..12 {
        for (i, key) in keys.iter().enumerate() {
            if *key == "dddd" && day >= 6 {
                continue;
            }
            let rating = [4, 3, 1, 4, 2, 3][(i + day as usize) % 6];
            let scheduler = if i % 3 == 2 { "fsrs" } else { "sm2" };
            other.answer_with(key, day * (1 + i as i64 % 2), rating, scheduler);
        }
        if day == 6 {
            other.delete("dddd", 6);
        }
    }
    let merged = |limits: Option<(usize, usize)>, name: &str| {
        super::apply::TEST_LIMITS.with(|l| l.set(limits));
        let mut collection = Collection::open(&temp.path().join(name)).unwrap();
        let report = crate::merge::sync(&mut collection, Some(&shared), BASE_MS, false).unwrap();
        assert_eq!(
            report.cards_replayed, 0,
            "every card's answers went in once"
        );
        super::apply::TEST_LIMITS.with(|l| l.set(None));
        collection
    };
    let at_once = merged(None, "once.sqlite");
    // Four answers a write: each card's tail kept between writes, or (two kept) read back.
    for (limits, name) in [((4, 100), "kept.sqlite"), ((4, 2), "read.sqlite")] {
        let batched = merged(Some(limits), name);
        assert_eq!(states(&batched), states(&at_once), "{limits:?}");
        assert_eq!(
            batched
                .content_fingerprint(crate::merge::TRAVELLING_SETTINGS)
                .unwrap(),
            at_once
                .content_fingerprint(crate::merge::TRAVELLING_SETTINGS)
                .unwrap()
        );
        assert_eq!(batched.stats_counts_differences().unwrap(), 0);
    }
    assert_eq!(answers(&at_once), 5 * 12);
    // The deleted note's card went with it.
    let cards: i64 = at_once
        .conn()
        .query_row("SELECT count(*) FROM card_states", [], |r| r.get(0))
        .unwrap();
    assert_eq!(cards, 5);
}

#[test]
fn an_unfinished_last_line_is_counted_once_as_waiting() {
    let temp = tempfile::tempdir().unwrap();
    let shared = temp.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let mut other = Folder::new(&shared, "0123456789abcdef0123456789abcdef");
    other.add("a");
    other.answer("a", 1, 4);
    // A line still being copied: no newline yet.
    let segment = shared
        .join("0123456789abcdef0123456789abcdef")
        .join(crate::sync::segment::segment_name(1));
    let partial = br#"{"v":1,"device":"0123456789abcdef0123456789abcdef","seq":3,"#;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&segment)
        .unwrap();
    std::io::Write::write_all(&mut file, partial).unwrap();
    let mut collection = Collection::open(&temp.path().join("c.sqlite")).unwrap();
    let report = crate::merge::sync(&mut collection, Some(&shared), BASE_MS, false).unwrap();
    assert_eq!(report.answers_added, 1, "{report:?}");
    assert_eq!(report.waiting_bytes, partial.len() as u64, "{report:?}");
    // Still waiting, once, on the next sync.
    let report = crate::merge::sync(&mut collection, None, BASE_MS + 1, false).unwrap();
    assert_eq!(report.waiting_bytes, partial.len() as u64, "{report:?}");
}

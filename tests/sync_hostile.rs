//! A folder written by a careless or hostile program: events whose values jargon cannot
//! store (unreadable lists and card sets, unknown note type kinds, unusable deck names, a
//! vocab note given rich fields), three notes under one deck and key, a setting written as a
//! number or far too long, an answer whose card an edit then hides. `jargon sync` skips what
//! it cannot store with a sentence each, takes the rest, and every command still works.

use std::path::Path;

use jargon::sync::device::{self, DeviceId};
use jargon::sync::event::{
    Answer, AnswerKind, Body, CardRef, Event, NoteAdd, NoteEdit, Setting, answer_id,
};
use jargon::sync::segment::{Thresholds, Writer};
use serde_json::{Map, Value, json};

use crate::common::Env;
use crate::common::sync::fingerprint;

const BASE_MS: i64 = 1_764_000_000_000;

struct Hostile {
    device: DeviceId,
    events: Vec<Event>,
}

impl Hostile {
    fn push(&mut self, body: Body) {
        let seq = self.events.len() as u64 + 1;
        self.events.push(Event::new(
            self.device.clone(),
            seq,
            BASE_MS + seq as i64,
            body,
        ));
    }

    fn add(&mut self, note: &str, deck: &str, key: &str, extra: &[(&str, &str)]) {
        let mut fields = Map::new();
        fields.insert("term".into(), Value::String(format!("term of {note}")));
        fields.insert("definition".into(), Value::String("meaning".into()));
        for (name, value) in extra {
            fields.insert((*name).into(), Value::String((*value).into()));
        }
        self.push(Body::NoteAdd(NoteAdd {
            note: note.into(),
            deck: deck.into(),
            key: key.into(),
            notetype: "vocab".into(),
            notetype_def: None,
            seed: 5,
            fields,
            untouched: false,
        }));
    }

    fn edit(&mut self, note: &str, field: &str, value: &str) {
        self.push(Body::NoteEdit(NoteEdit {
            note: note.into(),
            field: field.into(),
            value: value.into(),
        }));
    }

    fn setting(&mut self, key: &str, value: Value) {
        self.push(Body::Setting(Setting {
            key: key.into(),
            value,
        }));
    }
}

fn hostile_folder(shared: &Path) {
    let device = DeviceId::parse("0123456789abcdef0123456789abcdef").unwrap();
    let instance = DeviceId::parse("fedcba9876543210fedcba9876543210").unwrap();
    device::claim(shared, &device, &instance, 1)
        .unwrap()
        .into_result()
        .unwrap();
    let mut h = Hostile {
        device: device.clone(),
        events: vec![],
    };
    for n in 1..=3 {
        h.add(&format!("x/{n}"), "Xdeck", "k", &[]);
    }
    h.add("bad/cards", "Xdeck", "cards", &[("cards", "garbage")]);
    h.add("bad/list", "Xdeck", "list", &[("tags", "not a list")]);
    h.add("bad/rich", "Xdeck", "rich", &[("fields[3]", "x")]);
    h.add("::", "::", "deck", &[]);
    let mut fields = Map::new();
    fields.insert("fields[0]".into(), json!("front"));
    h.push(Body::NoteAdd(NoteAdd {
        note: "bad/type".into(),
        deck: "Xdeck".into(),
        key: "type".into(),
        notetype: "evil:Evil".into(),
        notetype_def: Some(json!({"kind": "evil", "name": "Evil", "anki_id": null,
            "fields": "[\"Front\"]", "templates": "[]", "css": "", "extra": ""})),
        seed: 6,
        fields,
        untouched: false,
    }));
    h.edit("x/1", "aliases", "not json");
    h.edit("x/1", "fields[2]", "rich field on a vocab note");
    h.setting("new_per_day", json!(17));
    h.setting("reviews_per_day", json!("z".repeat(900)));
    // An answer to x/1's reverse card, then an edit that hides the card.
    let seq = h.events.len() as u64 + 1;
    h.push(Body::Answer(Answer {
        id: answer_id(&device, seq),
        card: CardRef {
            note: "x/1".into(),
            ord: 1,
        },
        reviewed_at_ms: BASE_MS,
        day: 20_415,
        rating: 4,
        duration_ms: 3_000,
        kind: AnswerKind::Schedule,
        scheduler: "sm2".into(),
        settings: json!({ "body": jargon::scheduler::Settings::default().body() }),
    }));
    h.edit("x/1", "cards", "1/1");
    // Answers this build could not replay or store: refused, not kept to fail later.
    let body = jargon::scheduler::Settings::default().body();
    let mut after = json!({"phase": "review", "due_day": 20_500, "due_at": null,
        "interval_days": 10, "ease_permille": 2500, "repetitions": 3, "lapses": 0, "step": 0,
        "stability": 1e308, "difficulty": 5.0});
    for (note, scheduler, settings, kind) in [
        (
            "x/2",
            "bogus",
            json!({ "body": body }),
            AnswerKind::Schedule,
        ),
        (
            "x/2",
            "sm2",
            json!({ "body": "garbage" }),
            AnswerKind::Schedule,
        ),
        (
            "x/2",
            "fsrs",
            json!({ "body": body, "after": after.take() }),
            AnswerKind::Import,
        ),
        // An FSRS answer given SM-2's lowest quality, on this SM-2 machine: replayed and
        // converted like any other, so check still passes.
        ("x/3", "fsrs", json!({ "body": body }), AnswerKind::Schedule),
        // For a note that never comes: it waits, said as such.
        (
            "never/sent",
            "sm2",
            json!({ "body": body }),
            AnswerKind::Schedule,
        ),
    ] {
        let seq = h.events.len() as u64 + 1;
        h.push(Body::Answer(Answer {
            id: answer_id(&device, seq),
            card: CardRef {
                note: note.into(),
                ord: 0,
            },
            reviewed_at_ms: BASE_MS,
            day: 20_415,
            rating: if note == "x/3" { 0 } else { 4 },
            duration_ms: 3_000,
            kind,
            scheduler: scheduler.into(),
            settings,
        }));
    }
    h.add("x/canary", "Xdeck", "canary", &[]);
    let (mut writer, _) = Writer::open(shared, &device, Thresholds::default()).unwrap();
    writer.append(&h.events).unwrap();
}

#[test]
fn a_folder_with_values_jargon_cannot_store_is_merged_around_them() {
    let shared = tempfile::tempdir().unwrap();
    hostile_folder(shared.path());
    let dir = shared.path().to_str().unwrap();
    let env = Env::new();
    let out = env.ok(&["sync", dir]);
    for said in [
        "bad/cards",
        "bad/list",
        "bad/rich",
        "'::' is not a usable deck name",
        "bad/type",
        "note type's kind 'evil'",
        "its aliases 'not json' cannot be stored",
        "its fields[2]",
        "its scheduler 'bogus' is not one jargon knows",
        "its scheduler settings do not read",
        "the card state it carries cannot be stored",
        "1 event waits for a note or card",
    ] {
        assert!(out.contains(said), "{said}: {out}");
    }
    // The overlong setting is refused in a short sentence; the number is taken as its text.
    assert!(out.contains("reviews_per_day = zzz"), "{out}");
    assert!(!out.contains(&"z".repeat(100)), "{out}");
    assert_eq!(
        env.sql::<String>("SELECT value FROM config WHERE key = 'new_per_day'"),
        "17"
    );
    // Three notes under one name each get their own; the canary after them all arrived.
    let keys: String = env.sql(
        "SELECT group_concat(key, ' ') FROM (SELECT key FROM notes WHERE deck_id =
             (SELECT id FROM decks WHERE name = 'Xdeck') ORDER BY key)",
    );
    assert_eq!(keys.split(' ').count(), 4, "{keys}");
    assert!(keys.contains("canary"), "{keys}");
    // An edit does not hide the card an answer was for: a note's cards only grow.
    assert_eq!(env.sql::<i64>("SELECT count(*) FROM reviews"), 2);
    assert_eq!(
        env.sql::<String>("SELECT cards || '/' || card_span FROM notes WHERE key = 'k' AND deck_id = (SELECT id FROM decks WHERE name = 'Xdeck')"),
        "3/2"
    );
    for args in [
        vec!["check"],
        vec!["cards", "--json"],
        vec!["stats"],
        vec!["export", "reviews", "--format", "json"],
        vec![],
    ] {
        env.ok(&args);
    }
    // A second collection reading the same folder ends the same.
    let other = Env::new();
    other.ok(&["sync", dir]);
    assert_eq!(fingerprint(&env), fingerprint(&other));
}

//! A sync killed (SIGKILL) at any moment changes all or nothing: another device's folder with
//! many answers is merged by `jargon sync`, killed after a growing delay each round, until a
//! round finishes. After every kill the collection holds none of the answers or all of them,
//! and a sync run afterwards completes to the same content as one never interrupted.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use jargon::sync::device::{self, DeviceId};
use jargon::sync::event::{Answer, AnswerKind, Body, CardRef, Event, NoteAdd, answer_id};
use jargon::sync::segment::{Thresholds, Writer};
use serde_json::{Map, Value, json};

use crate::common::Env;

const NOTES: u64 = 100;
const ANSWERS: u64 = 8_000;

/// Another device's folder: NOTES vocab notes and ANSWERS SM-2 answers on their forward cards.
fn other_device(shared: &Path) {
    let other = DeviceId::parse("0123456789abcdef0123456789abcdef").unwrap();
    let instance = DeviceId::parse("fedcba9876543210fedcba9876543210").unwrap();
    device::claim(shared, &other, &instance, 1)
        .unwrap()
        .into_result()
        .unwrap();
    let (mut writer, _) = Writer::open(shared, &other, Thresholds::default()).unwrap();
    let base_ms: i64 = 1_764_000_000_000;
    let body = jargon::scheduler::Settings::default().body();
    let mut events = vec![];
    let mut seq = 1;
    for note in 0..NOTES {
        let mut fields = Map::new();
        fields.insert("term".into(), Value::String(format!("term {note}")));
        fields.insert(
            "definition".into(),
            Value::String(format!("meaning {note}")),
        );
        fields.insert("cards".into(), Value::String("3/2".into()));
        events.push(Event::new(
            other.clone(),
            seq,
            base_ms,
            Body::NoteAdd(NoteAdd {
                note: format!("Far/n{note}"),
                deck: "Far".into(),
                key: format!("n{note}"),
                notetype: "vocab".into(),
                notetype_def: None,
                seed: note as i64 + 1,
                fields,
                untouched: false,
            }),
        ));
        seq += 1;
    }
    for index in 0..ANSWERS {
        let at = base_ms + index as i64 * 1000;
        events.push(Event::new(
            other.clone(),
            seq,
            at,
            Body::Answer(Answer {
                id: answer_id(&other, seq),
                card: CardRef {
                    note: format!("Far/n{}", index % NOTES),
                    ord: 0,
                },
                reviewed_at_ms: at,
                day: 20_400 + (index / NOTES) as i64,
                rating: 4,
                duration_ms: 2_000,
                kind: AnswerKind::Schedule,
                scheduler: "sm2".into(),
                settings: json!({ "body": body }),
            }),
        ));
        seq += 1;
    }
    writer.append(&events).unwrap();
}

fn answers(env: &Env) -> i64 {
    env.sql("SELECT count(*) FROM reviews")
}

fn fingerprint(env: &Env) -> String {
    let status = env.ok(&["sync", "--status", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&status).unwrap();
    value["fingerprint"].as_str().unwrap().to_string()
}

#[test]
fn a_sync_killed_at_any_moment_changes_all_or_nothing() {
    let shared = tempfile::tempdir().unwrap();
    other_device(shared.path());
    let dir = shared.path().to_str().unwrap();
    let reference = Env::new();
    reference.ok(&["sync", dir]);
    assert_eq!(answers(&reference), ANSWERS as i64);
    let expected = fingerprint(&reference);

    let mut delay = Duration::from_millis(2);
    let mut killed = 0;
    loop {
        let env = Env::new();
        env.ok(&["decks"]);
        let mut child = env
            .cmd()
            .args(["sync", dir])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while started.elapsed() < delay {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let finished = child.try_wait().unwrap().is_some();
        if !finished {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        child.wait().unwrap();
        let merged = answers(&env);
        assert!(
            merged == 0 || merged == ANSWERS as i64,
            "killed after {delay:?}: {merged} of {ANSWERS} answers"
        );
        let peers: i64 = env.sql("SELECT count(*) FROM sync_peers WHERE events > 0");
        assert_eq!(
            peers > 0,
            merged > 0,
            "the cursor moved without the answers, or back"
        );
        env.ok(&["sync", dir]);
        assert_eq!(answers(&env), ANSWERS as i64);
        assert!(env.ok(&["check"]).starts_with("ok:"));
        assert_eq!(fingerprint(&env), expected);
        if finished {
            break;
        }
        delay *= 2;
        assert!(delay < Duration::from_secs(300), "the sync never finished");
    }
    assert!(killed > 0, "no sync was killed part way");
}

//! The sync benchmark (bench/sync.sh runs it, release build): another device's folder with
//! NOTES notes and ANSWERS answers (SM-2, one scheduling answer a day per card), merged into
//! a new collection (the first merge), then five times 1,000 more answers merged onto it
//! (the incremental sync). Prints each time and the incremental median.
//!
//! Usage: sync_bench WORKDIR [ANSWERS [NOTES]] (defaults 1,000,000 and 20,000).

use std::path::Path;
use std::time::Instant;

use jargon::store::Collection;
use jargon::sync::device::{self, DeviceId};
use jargon::sync::event::{Answer, AnswerKind, Body, CardRef, Event, NoteAdd, answer_id};
use jargon::sync::segment::{Thresholds, Writer};
use serde_json::{Map, Value, json};

// The allocator of the `jargon` binary, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BASE_MS: i64 = 1_764_000_000_000;
const BASE_DAY: i64 = 20_400;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let work = Path::new(
        args.get(1)
            .ok_or("usage: sync_bench WORKDIR [ANSWERS [NOTES]]")?,
    );
    let answers: u64 = args.get(2).map_or(Ok(1_000_000), |a| a.parse())?;
    let notes: u64 = args.get(3).map_or(Ok(20_000), |a| a.parse())?;
    let shared = work.join("shared");
    if work.exists() {
        std::fs::remove_dir_all(work)?;
    }
    std::fs::create_dir_all(&shared)?;
    let other = DeviceId::parse("0123456789abcdef0123456789abcdef")?;
    let instance = DeviceId::parse("fedcba9876543210fedcba9876543210")?;
    device::claim(&shared, &other, &instance, BASE_MS)?.into_result()?;
    let (mut writer, _) = Writer::open(&shared, &other, Thresholds::default())?;
    let body = jargon::scheduler::Settings::default().body();

    let started = Instant::now();
    let mut seq = 1;
    let mut batch = Vec::with_capacity(10_000);
    for note in 0..notes {
        let mut fields = Map::new();
        for (k, v) in [
            ("term", format!("term {note}")),
            ("definition", format!("the meaning of term {note}")),
            ("example", String::new()),
            ("aliases", "[]".into()),
            ("tags", "[]".into()),
            ("related", "[]".into()),
            ("source", String::new()),
            ("guid", String::new()),
            ("fields", String::new()),
            ("cards", "3/2".into()),
        ] {
            fields.insert(k.into(), Value::String(v));
        }
        batch.push(Event::new(
            other.clone(),
            seq,
            BASE_MS,
            Body::NoteAdd(NoteAdd {
                note: format!("Bench/n{note}"),
                deck: "Bench".into(),
                key: format!("n{note}"),
                notetype: "vocab".into(),
                notetype_def: None,
                seed: i64::try_from(note + 1)?,
                fields,
                untouched: false,
            }),
        ));
        seq += 1;
        if batch.len() == 10_000 {
            writer.append(&batch)?;
            batch.clear();
        }
    }
    let mut made = 0u64;
    let answer = |seq: u64, index: u64| {
        let note = index % notes;
        let round = index / notes;
        let at = BASE_MS + i64::try_from(index).unwrap_or(0) * 1000;
        Event::new(
            other.clone(),
            seq,
            at,
            Body::Answer(Answer {
                id: answer_id(&other, seq),
                card: CardRef {
                    note: format!("Bench/n{note}"),
                    ord: 0,
                },
                reviewed_at_ms: at,
                day: BASE_DAY + i64::try_from(round).unwrap_or(0),
                rating: 4,
                duration_ms: 3_000,
                kind: AnswerKind::Schedule,
                scheduler: "sm2".into(),
                settings: json!({ "body": body }),
            }),
        )
    };
    while made < answers {
        batch.push(answer(seq, made));
        seq += 1;
        made += 1;
        if batch.len() == 10_000 {
            writer.append(&batch)?;
            batch.clear();
        }
    }
    writer.append(&batch)?;
    batch.clear();
    println!(
        "wrote {notes} notes and {answers} answers in {:.2} s",
        started.elapsed().as_secs_f64()
    );

    let db = work.join("collection.sqlite");
    let mut collection = Collection::open(&db)?;
    let now = BASE_MS + 10_000_000_000;
    let started = Instant::now();
    let report = jargon::merge::sync(&mut collection, Some(&shared), now, false)?;
    println!(
        "first merge: {:.2} s ({} events read, {} answers added, {} cards replayed)",
        started.elapsed().as_secs_f64(),
        report.read,
        report.answers_added,
        report.cards_replayed
    );
    for (step, took) in &report.timings {
        println!("    {step}: {:.1} ms", took.as_secs_f64() * 1000.0);
    }

    let mut times = vec![];
    for round in 0..5 {
        for _ in 0..1_000 {
            batch.push(answer(seq, made));
            seq += 1;
            made += 1;
        }
        writer.append(&batch)?;
        batch.clear();
        let started = Instant::now();
        let report = jargon::merge::sync(&mut collection, None, now + round, false)?;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "incremental sync {}: {:.1} ms ({} answers added, {} cards replayed)",
            round + 1,
            secs * 1000.0,
            report.answers_added,
            report.cards_replayed
        );
        times.push(secs);
        if round == 0 {
            for (step, took) in &report.timings {
                println!("    {step}: {:.1} ms", took.as_secs_f64() * 1000.0);
            }
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "incremental median: {:.1} ms",
        times[times.len() / 2] * 1000.0
    );
    Ok(())
}

//! Importing a generated 100,000-row CSV deck (Anki's text headers, quoted fields, a tags
//! column) with `jargon import` itself (`cli::import::run`: read, validate, plan and write in
//! one transaction, the reading and the writing on two threads), into a collection that
//! exists already; beside the floor, a bare rusqlite insert of the same notes in one
//! transaction, into the same schema (an import writes notes only; a card gets its row when it
//! is first answered). Target: within 2x of the floor.
//!
//! Run: `cargo bench --bench import`. `bench/anki_csv_import.sh` times Anki's own CSV import of
//! the same file (written to target/bench-data/import-csv/bench-100k.csv) beside the binary.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use jargon::cli::Context;
use jargon::cli::import::{Args, run};
use jargon::store::Collection;
use rusqlite::params;

/// The binary's allocator (see src/main.rs), so the figures are what the binary does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ROWS: usize = 100_000;

fn data_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("bench-data").join("import-csv")
}

fn definition(n: usize) -> String {
    format!("the definition of entry number {n}, long enough to be realistic")
}

/// The deck file: the same text `bench/anki_csv_import.sh` gives Anki.
fn csv_text(rows: usize) -> String {
    let mut text = String::from(
        "#separator:Comma\n#html:false\n#columns:term,definition,tags\n#tags column:3\n",
    );
    for n in 0..rows {
        text.push_str(&format!("term {n},\"{}\",bench\n", definition(n)));
    }
    text
}

fn import_benches(c: &mut Criterion) {
    let dir = data_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let csv_path = dir.join("bench-100k.csv");
    std::fs::write(&csv_path, csv_text(ROWS)).unwrap();
    let mut group = c.benchmark_group("import_100k_csv");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    let fresh = |name: &str| {
        let db = dir.join(name);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        db
    };
    group.bench_function("jargon_import_csv", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let db = fresh("import.sqlite");
                let context = Context { db };
                // A collection that exists already (with the built-in decks), as Anki's does.
                drop(context.open().unwrap());
                let args = Args::files_into(vec![csv_path.clone()], "Bench");
                let mut out = Vec::new();
                let started = Instant::now();
                run(&context, &args, &mut out).unwrap();
                total += started.elapsed();
                let report = String::from_utf8(out).unwrap();
                assert_eq!(report, "Imported: 100000 added, 0 updated, 0 unchanged.\n");
                black_box(report);
            }
            total
        })
    });
    // The floor: the same notes (already parsed, keys made), inserted bare with a prepared
    // statement in one transaction into the same schema.
    let rows: Vec<(String, String, String)> = (0..ROWS)
        .map(|n| (format!("term-{n}"), format!("term {n}"), definition(n)))
        .collect();
    group.bench_function("bare_rusqlite_insert", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let db = fresh("floor.sqlite");
                drop(Collection::open(&db).unwrap());
                let mut conn = rusqlite::Connection::open(&db).unwrap();
                conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
                let started = Instant::now();
                let tx = conn.transaction().unwrap();
                {
                    tx.execute(
                        "INSERT INTO decks (name, description, created_at) VALUES ('Bench', '', 0)",
                        [],
                    )
                    .unwrap();
                    let mut note = tx
                        .prepare(
                            "INSERT INTO notes (deck_id, key, term, definition, tags, created_at, modified_at)
                             VALUES (1, ?1, ?2, ?3, '[\"bench\"]', 0, 0)",
                        )
                        .unwrap();
                    for (key, term, definition) in &rows {
                        note.execute(params![key, term, definition]).unwrap();
                    }
                }
                tx.commit().unwrap();
                total += started.elapsed();
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, import_benches);
criterion_main!(benches);

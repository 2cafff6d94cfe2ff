//! A single CSV/TSV file is written while it is still being read (two threads, one
//! transaction): these tests run the real binary on files large enough to span many batches
//! and check that the outcome is exactly that of reading first and writing after. A bad row
//! late in the file, or a failing write, leaves the collection byte for byte as it was (but for
//! SQLite's change counter), and so does a kill in the middle; decks
//! that hold notes are still compared with them; new notes keep the file's order.

use crate::common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Env, text};

fn arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// `rows` notes `term N,definition N` under the header lines.
fn rows(header: &str, range: std::ops::Range<usize>) -> String {
    let mut csv = String::from(header);
    for i in range {
        csv.push_str(&format!("term {i},definition {i}\n"));
    }
    csv
}

/// Asserts that the collection file holds the same bytes, but for SQLite's file change
/// counter (header bytes 24..28, repeated at 92..96): an import of 10,000 rows or more
/// switches the file to a rollback journal and back, and each switch counts as a change.
fn assert_same_file(before: &[u8], after: &[u8]) {
    assert_eq!(before.len(), after.len(), "the file changed size");
    let differs: Vec<usize> = (0..before.len())
        .filter(|&i| before[i] != after[i] && !(24..28).contains(&i) && !(92..96).contains(&i))
        .collect();
    assert!(
        differs.is_empty(),
        "bytes changed at {:?}",
        &differs[..differs.len().min(20)]
    );
}

/// Runs the import and asserts it is refused with `expected` in its one-line error, leaving
/// the collection file byte for byte as it was (but for SQLite's change counter).
fn refused(env: &Env, file: &Path, expected: &str) {
    let before = env.fingerprint();
    let bytes_before = std::fs::read(&env.db).unwrap();
    let out = env.run(&["import", arg(file)]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in {stderr:?}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(
        env.fingerprint(),
        before,
        "a refused file changed the collection"
    );
    assert_same_file(&bytes_before, &std::fs::read(&env.db).unwrap());
}

#[test]
fn a_bad_row_after_thousands_of_written_notes_leaves_the_collection_as_it_was() {
    let env = Env::new();
    env.ok(&["decks"]);
    let header = "#separator:Comma\n#deck:Large\n";
    // Line numbers: two header lines, then row i on line i + 3.
    let ragged = env.write(
        "ragged.csv",
        rows(header, 0..5_000) + "term x,definition x,one field too many\n",
    );
    refused(&env, &ragged, "ragged.csv:5003:");
    let duplicate = env.write(
        "duplicate.csv",
        rows(header, 0..5_000) + "Term 17,another definition\n",
    );
    refused(
        &env,
        &duplicate,
        "duplicate.csv:5003:1: the key 'term-17' is used twice in deck 'Large' (first at line 20)",
    );
    let unterminated = env.write(
        "unterminated.csv",
        rows(header, 0..5_000) + "term x,\"never closed\n",
    );
    refused(&env, &unterminated, "unterminated.csv:5003:");
    let empty = env.write("empty-definition.csv", rows(header, 0..5_000) + "term x,\n");
    refused(&env, &empty, "empty-definition.csv:5003:");
    // Large enough that the key index is dropped while the notes are written: the rollback
    // brings it back with everything else.
    let late = env.write(
        "late-duplicate.csv",
        rows(header, 0..20_000) + "Term 19999,another definition\n",
    );
    refused(
        &env,
        &late,
        "late-duplicate.csv:20003:1: the key 'term-19999' is used twice in deck 'Large'",
    );
    // And the same file without its bad row imports whole.
    let good = env.write("good.csv", rows(header, 0..5_000));
    assert_eq!(
        env.ok(&["import", arg(&good)]),
        "Imported: 5000 added, 0 updated, 0 unchanged.\n"
    );
}

#[test]
fn a_failing_write_stops_the_reader_and_keeps_nothing() {
    let env = Env::new();
    env.ok(&["decks"]);
    // A trigger that fails the 3000th new note, long after the first batches were written.
    // (By its key: a BEFORE trigger does not see the id SQLite is about to give the row.)
    rusqlite::Connection::open(&env.db)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER fail_late BEFORE INSERT ON notes WHEN NEW.key = 'term-2999'
             BEGIN SELECT RAISE(ABORT, 'the disk said no'); END;",
        )
        .unwrap();
    let before = env.fingerprint();
    let bytes_before = std::fs::read(&env.db).unwrap();
    let file = env.write("big.csv", rows("#separator:Comma\n#deck:Big\n", 0..50_000));
    let mut child = env
        .cmd()
        .args(["import", arg(&file)])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader must notice that the writer gave up rather than wait for it forever.
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("the import hung after its write failed");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr,
        "jargon: the import was not written (nothing changed): the disk said no\n"
    );
    assert_eq!(env.fingerprint(), before);
    assert_same_file(&bytes_before, &std::fs::read(&env.db).unwrap());
}

#[test]
fn decks_holding_notes_are_compared_while_new_decks_are_written_as_read() {
    let env = Env::new();
    let old = env.write(
        "old.csv",
        "#separator:Comma\n#deck:Old\nalpha,first\nbeta,second\n",
    );
    env.ok(&["import", arg(&old)]);
    let alpha_id: i64 = env.sql("SELECT id FROM notes WHERE key = 'alpha'");
    // A deck column: a new deck's rows before, between and after the stored deck's rows.
    let mut csv = String::from("#separator:Comma\n#columns:deck,term,definition\n");
    // 12,000 new notes, more than the collection holds: the key index is rebuilt after them,
    // before the stored deck's notes are looked up by their keys.
    for i in 0..6_000 {
        csv.push_str(&format!("New,term {i},definition {i}\n"));
    }
    csv.push_str("Old,alpha,first (revised)\nOld,beta,second\nOld,gamma,third\n");
    for i in 6_000..12_000 {
        csv.push_str(&format!("New,term {i},definition {i}\n"));
    }
    let mixed = env.write("mixed.csv", &csv);
    assert_eq!(
        env.ok(&["import", arg(&mixed)]),
        "Imported: 12001 added, 1 updated, 1 unchanged.\n"
    );
    // The updated note kept its id (and so its cards' history).
    assert_eq!(
        env.sql::<String>(&format!(
            "SELECT definition FROM notes WHERE id = {alpha_id}"
        )),
        "first (revised)"
    );
    // The new deck's notes have ids in the file's order: its new cards come in that order.
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let terms: Vec<String> = conn
        .prepare("SELECT n.term FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = 'New' ORDER BY n.id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let expected: Vec<String> = (0..12_000).map(|i| format!("term {i}")).collect();
    assert_eq!(terms, expected);
    assert_eq!(
        env.sql::<i64>(
            "SELECT count(*) FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = 'Old'"
        ),
        3
    );
    assert!(env.ok(&["check"]).starts_with("ok:"));
    // Importing it again changes nothing, and says so; skip leaves the stored note alone.
    let before = env.fingerprint();
    assert_eq!(
        env.ok(&["import", arg(&mixed)]),
        "Nothing to change: 0 added, 0 updated, 12003 unchanged.\n"
    );
    assert_eq!(env.fingerprint(), before);
    let edited = env.write("edited.csv", csv.replace("first (revised)", "first again"));
    assert_eq!(
        env.ok(&["import", "--on-duplicate", "skip", arg(&edited)]),
        "Nothing to change: 0 added, 0 updated, 12002 unchanged, 1 skipped (already present; --on-duplicate skip).\n"
    );
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn an_import_larger_than_the_collection_leaves_the_key_index_as_a_new_collection_has_it() {
    let env = Env::new();
    env.ok(&["decks"]);
    let index = |env: &Env| -> String {
        env.sql("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'notes_deck_key'")
    };
    let created = index(&env);
    assert_eq!(
        created,
        "CREATE UNIQUE INDEX notes_deck_key ON notes(deck_id, key)"
    );
    let file = env.write("big.csv", rows("#separator:Comma\n#deck:Big\n", 0..30_000));
    assert_eq!(
        env.ok(&["import", arg(&file)]),
        "Imported: 30000 added, 0 updated, 0 unchanged.\n"
    );
    assert_eq!(index(&env), created);
    assert!(env.ok(&["check"]).starts_with("ok:"));
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let plan: String = conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT id FROM notes WHERE deck_id = 1 AND key = 'term-5'",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("notes_deck_key"), "{plan}");
    let big: i64 = env.sql("SELECT id FROM decks WHERE name = 'Big'");
    let again = conn.execute(
        "INSERT INTO notes (deck_id, key, term, definition, created_at, modified_at)
         VALUES (?1, 'term-29999', 'x', 'y', 0, 0)",
        [big],
    );
    assert!(again.is_err(), "the rebuilt index keeps keys unique");
    drop(conn);
    // Matching goes through the rebuilt index: a second import finds every note.
    let before = env.fingerprint();
    assert_eq!(
        env.ok(&["import", arg(&file)]),
        "Nothing to change: 0 added, 0 updated, 30000 unchanged.\n"
    );
    assert_eq!(env.fingerprint(), before);
}

/// Every note as `term|definition|tags`, in the order written.
fn all_notes(env: &Env) -> Vec<String> {
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT n.term || '|' || n.definition || '|' || n.tags FROM notes n
             JOIN decks d ON d.id = n.deck_id WHERE d.name = 'deck' ORDER BY n.id",
        )
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_tsv_and_a_crlf_csv_stream_the_same_notes_as_a_small_file() {
    // The same rows, as TSV and as CSV with CRLF line ends, through a file large enough to be
    // written as read and through a small one (parsed whole, then written): every note the
    // same, and as the rows say (HTML: a line break in the text is a space).
    const ROWS: usize = 2_500;
    let expected: Vec<String> = (0..ROWS)
        .map(|i| {
            format!(
                "na\u{ef}ve term {i}|quoted definition & more {i}|[\"tag{}\"]",
                i % 3
            )
        })
        .collect();
    for (name, separator, header) in [
        (
            "deck.tsv",
            '\t',
            "#separator:Tab\n#html:true\n#columns:Front\tBack\tTags\n",
        ),
        (
            "deck.csv",
            ',',
            "#separator:Comma\r\n#html:true\r\n#columns:Front,Back,Tags\r\n",
        ),
    ] {
        let text = |rows: std::ops::Range<usize>| {
            let mut text = String::from(header);
            for i in rows {
                text.push_str(&format!(
                    "na\u{ef}ve <b>term</b> {i}{separator}\"quoted\r\ndefinition\" &amp; more {i}{separator}tag{}\r\n",
                    i % 3
                ));
            }
            text
        };
        let large = Env::new();
        let file = large.write(name, text(0..ROWS));
        let dry = large.ok(&["import", "--dry-run", arg(&file)]);
        assert!(
            dry.starts_with(&format!("Dry run, nothing written: would be {ROWS} added")),
            "{name}: {dry}"
        );
        assert_eq!(
            large.ok(&["import", arg(&file)]),
            format!("Imported: {ROWS} added, 0 updated, 0 unchanged.\n"),
            "{name}"
        );
        assert_eq!(all_notes(&large), expected, "{name}");
        let small = Env::new();
        let file = small.write(name, text(0..3));
        small.ok(&["import", arg(&file)]);
        assert_eq!(all_notes(&small), expected[..3], "{name}");
    }
}

#[test]
fn an_import_killed_half_way_leaves_the_collection_as_it_was() {
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let env = Env::new();
    env.ok(&["decks"]);
    let before = env.fingerprint();
    let file = env.write("big.csv", rows("#separator:Comma\n#deck:Big\n", 0..200_000));
    let journal = env.path("collection.sqlite-journal");
    // The kernel kills the import (SIGXFSZ) at the first write past a file size limit set 1 MiB
    // above the collection's size: half way through writing 200,000 notes (tens of MB), with
    // the rollback journal such a large import uses, however fast the machine.
    let limit = std::fs::metadata(&env.db).unwrap().len() + (1 << 20);
    let mut cmd = env.cmd();
    cmd.args(["import", arg(&file)])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setrlimit is async-signal-safe and touches nothing of the parent's.
    unsafe {
        cmd.pre_exec(move || {
            let rlimit = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("the import hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.signal(), Some(libc::SIGXFSZ), "{status:?}");
    assert!(journal.exists(), "killed with no rollback journal");
    // The next jargon to open it rolls the half-written import back and returns to WAL.
    assert!(env.ok(&["check"]).contains("ok"));
    assert!(!journal.exists());
    assert_eq!(env.fingerprint(), before);
    assert_eq!(env.sql::<String>("PRAGMA journal_mode"), "wal");
    // And the same file imports whole afterwards.
    assert!(env.ok(&["import", arg(&file)]).contains("200000 added"));
}

#[test]
fn notes_read_into_reused_memory_keep_nothing_of_earlier_rows() {
    // Written notes go back to the reader, which reads later rows into them: a row with empty
    // optional fields after a full one must come out empty, over many batches.
    let env = Env::new();
    let mut csv = String::from(
        "#separator:Comma\n#deck:Reuse\n#columns:term,definition,example,aliases,tags,related,source,id,guid\n",
    );
    let mut expected = String::new();
    for i in 0..40_000 {
        if i % 2 == 0 {
            csv.push_str(&format!(
                "term {i},definition {i},example {i},a{i};b{i},t{i} u,r{i},s{i},k{i},g{i}\n"
            ));
            expected.push_str(&format!(
                "k{i}|g{i}|term {i}|definition {i}|example {i}|[\"a{i}\",\"b{i}\"]|[\"t{i}\",\"u\"]|[\"r{i}\"]|s{i}\n"
            ));
        } else {
            csv.push_str(&format!("term {i},definition {i},,,,,,,\n"));
            expected.push_str(&format!("term-{i}|-|term {i}|definition {i}||[]|[]|[]|\n"));
        }
    }
    let file = env.write("reuse.csv", csv);
    assert!(env.ok(&["import", arg(&file)]).contains("40000 added"));
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT key, coalesce(guid, '-'), term, definition, example, aliases, tags, related, source
             FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = 'Reuse' ORDER BY n.id",
        )
        .unwrap();
    let stored: String = stmt
        .query_map([], |r| {
            let parts: Vec<String> = (0..9).map(|i| r.get(i)).collect::<Result<_, _>>()?;
            Ok(parts.join("|") + "\n")
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        stored == expected,
        "the stored notes differ from the file's rows"
    );
}

#[test]
fn a_dry_run_lists_streamed_and_planned_decks_as_before_and_leaves_the_file_alone() {
    // A dry run writes the notes of new decks in a transaction it rolls back and reads them
    // back to list them: the listing is the one of reading everything first (decks in the
    // order the file names them, then the updates), and the file keeps every byte.
    let env = Env::new();
    let old = env.write(
        "old.csv",
        "#separator:Comma\n#deck column:3\nalpha,one,Old\ngamma,three,Old\n",
    );
    env.ok(&["import", arg(&old)]);
    let id: i64 = env.sql("SELECT id FROM notes WHERE key = 'alpha'");
    let file = env.write(
        "new.csv",
        "#separator:Comma\n#deck column:3\nalpha,ONE,Old\nbeta,two,Fresh\nzeta,six,Old\n\
         gamma,three,Fresh\ngamma,three,Old\nepsilon,five,Old\n",
    );
    let before = std::fs::read(&env.db).expect("db");
    let rows = env.fingerprint();
    assert_eq!(
        env.ok(&["import", "--dry-run", arg(&file)]),
        format!(
            "Dry run, nothing written: would be 4 added, 1 updated, 1 unchanged.\n  \
             add     Old/zeta\n  add     Old/epsilon\n  add     Fresh/beta\n  \
             add     Fresh/gamma\n  update  Old/alpha (note {id})\n"
        )
    );
    assert_eq!(std::fs::read(&env.db).expect("db"), before);
    assert_eq!(env.fingerprint(), rows);
}

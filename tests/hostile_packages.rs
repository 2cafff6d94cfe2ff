//! Hostile Anki packages and out-of-range numbers: each package is built here, by the test
//! itself (rusqlite writes the collection, the zip crate the package), refused with one
//! sentence that names it, and the collection is left exactly as it was.

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Env, text};

/// 2023-11-14T04:00:00Z, the collection's creation time.
const CRT: i64 = 1_699_934_400;
/// 2025-10-09, a plausible instant for modification times and answers.
const STAMP: i64 = 1_760_000_000;

/// A legacy (schema 11) Anki collection with `notes` notes of a two-field note type, one
/// review card each with one answer, then `extra` SQL run on it.
fn collection(path: &Path, notes: usize, extra: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let models = serde_json::json!({"1": {
        "name": "Basic", "type": 0,
        "flds": [{"name": "Front"}, {"name": "Back"}],
        "tmpls": [{"name": "Card 1"}]
    }});
    let decks = serde_json::json!({"1": {"name": "Hostile"}});
    conn.execute_batch(
        "CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null,
            scm integer not null, ver integer not null, dty integer not null,
            usn integer not null, ls integer not null, conf text not null,
            models text not null, decks text not null, dconf text not null, tags text not null);
         CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null,
            mod integer not null, usn integer not null, tags text not null,
            flds text not null, sfld integer not null, csum integer not null,
            flags integer not null, data text not null);
         CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null,
            ord integer not null, mod integer not null, usn integer not null,
            type integer not null, queue integer not null, due integer not null,
            ivl integer not null, factor integer not null, reps integer not null,
            lapses integer not null, left integer not null, odue integer not null,
            odid integer not null, flags integer not null, data text not null);
         CREATE TABLE revlog (id integer primary key, cid integer not null,
            usn integer not null, ease integer not null, ivl integer not null,
            lastIvl integer not null, factor integer not null, time integer not null,
            type integer not null);",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO col VALUES (1, ?1, ?2, 0, 11, 0, 0, 0, '{}', ?3, ?4, '{}', '{}')",
        rusqlite::params![CRT, STAMP, models.to_string(), decks.to_string()],
    )
    .unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..notes as i64 {
        let nid = 1_700_000_000_000 + i;
        let fields = format!("term number {i}\u{1f}the definition of term {i}, long enough");
        tx.execute(
            "INSERT INTO notes VALUES (?1, ?2, 1, ?3, 0, '', ?4, 0, 0, 0, '')",
            rusqlite::params![nid, format!("guid{i}"), STAMP, fields],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO cards VALUES (?1, ?1, 1, 0, ?2, 0, 2, 2, 700, 10, 2500, 3, 0, 0, 0, 0, 0, '')",
            rusqlite::params![nid, STAMP],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO revlog VALUES (?1, ?2, 0, 3, 10, 4, 2500, 6000, 1)",
            rusqlite::params![STAMP * 1000 + i, nid],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    conn.execute_batch(extra).unwrap();
}

/// Zips `entries` (name, bytes) into `path`, stored in that order.
fn zip(path: &Path, entries: &[(&str, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// A package holding a collection built by [`collection`].
fn package(env: &Env, name: &str, notes: usize, extra: &str) -> PathBuf {
    let sqlite = env.path(&format!("{name}.anki2"));
    collection(&sqlite, notes, extra);
    let path = env.path(name);
    zip(
        &path,
        &[
            ("collection.anki2", std::fs::read(&sqlite).unwrap()),
            ("media", b"{}".to_vec()),
        ],
    );
    std::fs::remove_file(&sqlite).unwrap();
    path
}

/// Waits for `child` at most `limit` (a bound on a hang, not a timing assertion); kills it
/// and fails when it is still running then.
fn wait_bounded(mut child: Child, limit: Duration, what: &str) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("{what} still ran after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A collection with its built-in decks, and its fingerprint.
fn fresh(env: &Env) -> String {
    env.ok(&["decks"]);
    env.fingerprint()
}

/// Imports `file` with TMPDIR set to a folder of the test; expects refusal with exit code 1 and
/// a message containing every part of `expected`; checks that the collection and the temp
/// folder are left as they were.
fn refused(env: &Env, file: &Path, expected: &[&str]) -> String {
    let before = fresh(env);
    let tmp = env.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let child = env
        .cmd()
        .env("TMPDIR", &tmp)
        .args(["import", file.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_bounded(child, Duration::from_secs(60), "the import");
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let file_name = file.file_name().unwrap().to_str().unwrap();
    assert!(err.contains(file_name), "{err}");
    for part in expected {
        assert!(err.contains(part), "expected {part:?} in: {err}");
    }
    assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
    assert_eq!(env.fingerprint(), before, "the collection changed");
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "left in the temp folder: {left:?}");
    err
}

#[test]
fn a_plain_built_package_imports() {
    // The builder itself makes a package jargon accepts, so the refusals below are about
    // what each test adds.
    let env = Env::new();
    let file = package(&env, "plain.apkg", 3, "");
    let out = env.ok(&["import", file.to_str().unwrap()]);
    assert!(out.contains('3'), "{out}");
    let answers: i64 = env.sql("SELECT count(*) FROM reviews WHERE kind = 'import'");
    assert_eq!(answers, 3);
}

#[test]
fn a_recursive_view_in_place_of_a_table_is_refused_at_once() {
    let env = Env::new();
    // A schema 18 collection whose `fields` is a view that never ends.
    let file = package(
        &env,
        "recursive.apkg",
        1,
        "CREATE TABLE notetypes (id integer primary key, name text, mtime_secs integer, config blob);
         INSERT INTO notetypes VALUES (1, 'Basic', 0, x'');
         CREATE TABLE templates (ntid integer, ord integer, name text, config blob);
         INSERT INTO templates VALUES (1, 0, 'Card 1', x'');
         CREATE VIEW fields AS
            WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)
            SELECT 1 AS ntid, n AS ord, hex(zeroblob(1000)) || n AS name FROM r ORDER BY name;",
    );
    refused(&env, &file, &["'fields'", "collection.anki2", "view"]);
}

#[test]
fn a_generated_column_is_refused() {
    let env = Env::new();
    let file = package(
        &env,
        "generated.apkg",
        1,
        "ALTER TABLE notes RENAME TO old_notes;
         CREATE TABLE notes (id integer primary key, guid text, mid integer, mod integer,
            usn integer, tags text, real_flds text,
            flds text GENERATED ALWAYS AS (hex(zeroblob(1000))) VIRTUAL,
            sfld integer, csum integer, flags integer, data text);
         INSERT INTO notes (id, guid, mid, mod, usn, tags, real_flds, sfld, csum, flags, data)
            SELECT id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data FROM old_notes;
         DROP TABLE old_notes;",
    );
    refused(
        &env,
        &file,
        &["'notes'", "collection.anki2", "generated", "'flds'"],
    );
}

#[test]
fn a_trigger_on_a_table_read_is_refused() {
    let env = Env::new();
    let file = package(
        &env,
        "trigger.apkg",
        1,
        "CREATE TABLE log (x);
         CREATE TRIGGER spy AFTER UPDATE ON cards BEGIN INSERT INTO log VALUES (1); END;",
    );
    refused(
        &env,
        &file,
        &["trigger 'spy'", "'cards'", "collection.anki2"],
    );
}

#[test]
fn a_value_longer_than_the_limit_is_refused() {
    let env = Env::new();
    // 9 MiB in one field, compressed to almost nothing.
    let file = package(
        &env,
        "long-value.apkg",
        1,
        "UPDATE notes SET flds = 'term' || char(31) || hex(zeroblob(4718592));",
    );
    refused(&env, &file, &["collection.anki2", "too big", "MiB"]);
}

#[test]
fn two_entries_of_the_same_name_are_refused() {
    let env = Env::new();
    let good = env.path("good.anki2");
    collection(&good, 1, "");
    let other = env.path("other.anki2");
    collection(&other, 2, "");
    let file = env.path("twice.apkg");
    // The zip writer refuses equal names, so the second is renamed in the bytes afterwards.
    zip(
        &file,
        &[
            ("collection.anki2", std::fs::read(&good).unwrap()),
            ("collection.ankiX", std::fs::read(&other).unwrap()),
        ],
    );
    let mut bytes = std::fs::read(&file).unwrap();
    let mut renamed = 0;
    for at in 0..bytes.len() - 16 {
        if &bytes[at..at + 16] == b"collection.ankiX" {
            bytes[at + 15] = b'2';
            renamed += 1;
        }
    }
    assert_eq!(renamed, 2, "local and central header");
    std::fs::write(&file, bytes).unwrap();
    refused(&env, &file, &["'collection.anki2'", "twice"]);
}

#[test]
fn a_due_day_of_i64_max_is_refused_not_wrapped() {
    let env = Env::new();
    let file = package(
        &env,
        "due.apkg",
        2,
        "UPDATE cards SET due = 9223372036854775807 WHERE id = 1700000000001;",
    );
    refused(
        &env,
        &file,
        &["cards", "1700000000001", "due", "9223372036854775807"],
    );
}

#[test]
fn a_revlog_id_of_i64_max_is_refused_not_dated_1970() {
    let env = Env::new();
    let file = package(
        &env,
        "revlog-id.apkg",
        1,
        "UPDATE revlog SET id = 9223372036854775807;",
    );
    refused(&env, &file, &["revlog", "9223372036854775807"]);
}

#[test]
fn other_numbers_out_of_anki_range_are_refused() {
    for (name, sql, expected) in [
        (
            "ivl.apkg",
            "UPDATE cards SET ivl = 5000000000;",
            ["cards", "ivl"],
        ),
        (
            "lapses.apkg",
            "UPDATE cards SET lapses = -1;",
            ["cards", "lapses"],
        ),
        (
            "factor.apkg",
            "UPDATE cards SET factor = 70000;",
            ["cards", "factor"],
        ),
        (
            "time.apkg",
            "UPDATE revlog SET time = -5;",
            ["revlog", "time"],
        ),
        (
            "revlog-ivl.apkg",
            "UPDATE revlog SET ivl = 3000000000;",
            ["revlog", "ivl"],
        ),
        (
            "crt.apkg",
            "UPDATE col SET crt = 9223372036854775807;",
            ["col", "crt"],
        ),
        (
            "mod.apkg",
            "UPDATE cards SET mod = -9223372036854775808, type = 2;
             DELETE FROM revlog;",
            ["cards", "mod"],
        ),
    ] {
        let env = Env::new();
        let file = package(&env, name, 1, sql);
        refused(&env, &file, &expected);
    }
}

#[test]
fn a_nul_in_a_csv_field_is_refused_with_its_line() {
    let env = Env::new();
    let file = env.write(
        "nul.csv",
        "term,definition\nfirst,fine\nsec\0ond,broken\nthird,fine\n",
    );
    let before = fresh(&env);
    let out = env.run(&["import", file.to_str().unwrap()]);
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err,
        format!(
            "jargon: {}:3:1: a note has a NUL character (byte 0) in its term; no field may hold one\n",
            file.display()
        )
    );
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn a_killed_package_import_leaves_no_copy_after_the_next_run() {
    let env = Env::new();
    fresh(&env);
    let big = package(&env, "big.apkg", 60_000, "");
    let small = package(&env, "small.apkg", 1, "");
    let tmp = env.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let import = |file: &Path| {
        let mut cmd: Command = env.cmd();
        cmd.env("TMPDIR", &tmp)
            .args(["import", file.to_str().unwrap()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    };
    let mut child = import(&big).spawn().unwrap();
    // Kill it once its copy of the collection is complete (SQLite's header is written first
    // and the file grows after; a copy of the whole size means decompression ended).
    let start = Instant::now();
    let copied = loop {
        let found = std::fs::read_dir(&tmp)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| e.path().join("collection.sqlite"))
            .any(|p| p.metadata().is_ok_and(|m| m.len() > 4_000_000));
        if found {
            break true;
        }
        if child.try_wait().unwrap().is_some() || start.elapsed() > Duration::from_secs(120) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        copied,
        "the import never held a copy of the collection to kill"
    );
    let left = std::fs::read_dir(&tmp).unwrap().count();
    assert!(
        left > 0,
        "the killed import left nothing behind, so this shows nothing"
    );
    let out = wait_bounded(
        import(&small)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
        Duration::from_secs(60),
        "the second import",
    );
    assert!(out.status.success(), "{}", text(&out).1);
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "left in the temp folder: {left:?}");
}

/// Notes in three decks (in blocks, as Anki lists them by id), a third of their cards
/// suspended, each with an answer: more than one batch of notes.
const THREE_DECKS: &str = "
    UPDATE col SET decks = '{\"1\": {\"name\": \"Hostile\"}, \"2\": {\"name\": \"Second\"},
                             \"3\": {\"name\": \"Third::Sub\"}}';
    UPDATE cards SET did = 2 WHERE nid >= 1700000000900;
    UPDATE cards SET did = 3 WHERE nid >= 1700000002200;
    UPDATE cards SET queue = -1 WHERE nid % 3 = 0;";

#[test]
fn a_package_streamed_into_the_collection_writes_the_rows_a_planned_import_writes() {
    let env = Env::new();
    let file = package(&env, "decks.apkg", 2500, THREE_DECKS);
    // With --builtin the import reads everything first and plans it (the path of several
    // files and dry runs); alone, the package is written while it is read.
    let planned = Env::new();
    planned.ok(&["decks"]);
    let out = planned.ok(&["import", "--builtin", file.to_str().unwrap()]);
    assert!(out.contains("2500 added"), "{out}");
    env.ok(&["decks"]);
    let out = env.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(
        out.trim(),
        "Imported: 2500 added, 0 updated, 0 unchanged; 2500 reviews added."
    );
    assert_eq!(env.fingerprint(), planned.fingerprint());
    env.ok(&["check"]);
    let decks: String = env.sql(
        "SELECT group_concat(name || ':' || (SELECT count(*) FROM notes WHERE deck_id = decks.id), ',')
         FROM decks WHERE name IN ('Hostile', 'Second', 'Third::Sub')",
    );
    assert_eq!(decks, "Hostile:900,Second:1300,Third::Sub:300");
    // Again: every note is now in a deck that holds notes, so all of it is planned.
    let out = env.ok(&["import", file.to_str().unwrap()]);
    assert!(
        out.starts_with("Nothing to change: 0 added, 0 updated, 2500 unchanged"),
        "{out}"
    );
}

#[test]
fn an_error_in_the_last_note_or_card_leaves_the_collection_as_it_was() {
    // Over two batches of notes are written before the last note is read.
    for (name, sql, expected) in [
        (
            "long.apkg",
            "UPDATE notes SET flds = 'term' || char(31) || hex(zeroblob(4718592))
             WHERE id = (SELECT max(id) FROM notes);",
            &["collection.anki2", "too big", "MiB"][..],
        ),
        (
            "factor.apkg",
            "UPDATE cards SET factor = 70000 WHERE id = (SELECT max(id) FROM cards);",
            &["cards", "1700000002499", "factor", "70000"][..],
        ),
    ] {
        let env = Env::new();
        let file = package(&env, name, 2500, &format!("{THREE_DECKS}{sql}"));
        refused(&env, &file, expected);
    }
}

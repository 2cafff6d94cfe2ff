//! `jargon import A B ...`: several CSV, TSV, TOML and JSON files (any mix, maybe with
//! `--builtin`) are written while they are read, one after another, in one transaction, with
//! one check of keys across the files. The outcome is the one of reading every file first: the
//! same rows, a key two files give in one deck refused naming both, a late error anywhere
//! leaving the collection as it was; and memory stays a few times the files.

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::{Env, text};

/// How long an import here may run before it counts as hung.
const HANG: Duration = Duration::from_secs(300);

/// A TOML deck that names and describes itself.
const TOML: &str = r#"name = "Toml deck"
description = "Notes from a TOML file."

[[note]]
term = "alpha"
definition = "The first."
tags = ["greek"]

[[note]]
term = "beta"
definition = "The second."
aliases = ["b"]
"#;

/// A JSON file: notes of the `Mixed` deck (as the CSV file's) and of a deck of its own.
const JSON: &str = r#"[
  {"deck": "Json deck", "term": "delta", "definition": "The fourth.", "tags": ["greek"]},
  {"deck": "Mixed", "term": "gamma", "definition": "The third."}
]
"#;

/// Writes the four files of [`mixed`] into `env`'s folder.
fn mixed_files(env: &Env) -> Vec<String> {
    let csv = env.write(
        "Mixed.csv",
        "#separator:Comma\n#columns:term,definition,colour\nepsilon,The fifth.,red\nzeta,The sixth.,blue\n",
    );
    let toml = env.write("deck.toml", TOML);
    let json = env.write("notes.json", JSON);
    let tsv = env.write("Tabs.tsv", "eta\tThe seventh.\ntheta\tThe eighth.\n");
    [csv, toml, json, tsv]
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .collect()
}

fn args<'a>(head: &[&'a str], files: &'a [String]) -> Vec<&'a str> {
    head.iter()
        .copied()
        .chain(files.iter().map(String::as_str))
        .collect()
}

#[test]
fn several_files_of_every_format_give_the_collection_of_importing_them_one_by_one() {
    let together = Env::new();
    let files = mixed_files(&together);
    let out = together.run(&args(&["import"], &files));
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout, "Imported: 8 added, 0 updated, 0 unchanged.\n");
    // The CSV file's warning names its file.
    assert_eq!(
        stderr,
        format!(
            "jargon: warning: {}: column 3 ('colour') is not a jargon field and was ignored\n",
            files[0]
        )
    );

    // One by one, each file goes into a collection that holds the files before it: the
    // `Mixed` deck of the JSON file is planned against the CSV file's notes, and its note
    // follows the TOML file's notes, as it does together.
    let apart = Env::new();
    let apart_files = mixed_files(&apart);
    for file in &apart_files {
        apart.ok(&["import", file]);
    }
    same(&together.fingerprint(), &apart.fingerprint());

    let decks: String = together.sql(
        "SELECT group_concat(name || ':' || n, ' ') FROM (SELECT d.name, count(*) AS n \
         FROM notes JOIN decks d ON d.id = notes.deck_id \
         WHERE d.name NOT LIKE 'ML::%' GROUP BY d.name ORDER BY d.name)",
    );
    assert_eq!(decks, "Json deck:1 Mixed:3 Tabs:2 Toml deck:2");
    let keys: String = together.sql(
        "SELECT group_concat(key, ' ') FROM (SELECT key FROM notes WHERE id > \
         (SELECT max(n.id) FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name LIKE 'ML::%') \
         ORDER BY id)",
    );
    assert_eq!(keys, "epsilon zeta alpha beta delta gamma eta theta");
    let description: String =
        together.sql("SELECT description FROM decks WHERE name = 'Toml deck'");
    assert_eq!(description, "Notes from a TOML file.");
}

#[test]
fn files_with_the_built_in_decks_give_the_collection_of_importing_them_apart() {
    let together = Env::new();
    together.ok(&["decks"]);
    let files = mixed_files(&together);
    // A built-in note edited, which --builtin restores.
    let edit = "UPDATE notes SET definition = 'changed' WHERE id = 1";
    rusqlite::Connection::open(&together.db)
        .unwrap()
        .execute(edit, [])
        .unwrap();
    let stdout = together.ok(&args(&["import", "--builtin"], &files));
    assert_eq!(
        stdout, "Imported: 8 added, 1 updated, 328 unchanged.\n",
        "the built-in decks hold 329 notes"
    );

    let apart = Env::new();
    apart.ok(&["decks"]);
    let apart_files = mixed_files(&apart);
    rusqlite::Connection::open(&apart.db)
        .unwrap()
        .execute(edit, [])
        .unwrap();
    for file in &apart_files {
        apart.ok(&["import", file]);
    }
    apart.ok(&["import", "--builtin"]);
    same(&together.fingerprint(), &apart.fingerprint());
}

/// Asserts two fingerprints equal, showing the first lines that differ.
fn same(left: &str, right: &str) {
    let differ: Vec<(&str, &str)> = left
        .lines()
        .zip(right.lines())
        .filter(|(l, r)| l != r)
        .take(3)
        .collect();
    assert!(
        differ.is_empty() && left.lines().count() == right.lines().count(),
        "first differences: {differ:?}; {} and {} lines",
        left.lines().count(),
        right.lines().count()
    );
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

/// `jargon import FILES` refused with exit code 1 and `message` on standard error, the
/// collection left byte for byte as it was (but for SQLite's change counter).
fn refused(env: &Env, args: &[&str], message: &str) {
    let before = std::fs::read(&env.db).expect("db");
    let rows = env.fingerprint();
    let out = env.run(args);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert_eq!(stderr, format!("jargon: {message}\n"));
    assert_same_file(&before, &std::fs::read(&env.db).expect("db"));
    same(&env.fingerprint(), &rows);
}

#[test]
fn a_key_two_files_give_in_one_deck_is_refused_naming_both_and_nothing_is_written() {
    let env = Env::new();
    env.ok(&["decks"]);
    let first = env.write("first.csv", "one,The first.\ntwo,The second.\n");
    let second = env.write(
        "second.json",
        r#"[
  {"term": "three", "definition": "The third."},
  {"term": "Two", "definition": "Again."}
]
"#,
    );
    let (first, second) = (first.to_str().unwrap(), second.to_str().unwrap());
    // A deck new to the collection (its notes are written as they come) ...
    refused(
        &env,
        &["import", "--deck", "Shared", first, second],
        &format!(
            "{second}:3:3: the key 'two' of deck 'Shared' is also in {first}; import them separately"
        ),
    );
    // ... and a deck that holds notes (its notes are planned once every file is read).
    env.ok(&["import", "--deck", "Shared", first]);
    refused(
        &env,
        &["import", "--deck", "Shared", first, second],
        &format!(
            "{second}:3:3: the key 'two' of deck 'Shared' is also in {first}; import them separately"
        ),
    );
    // A key repeated within one file keeps its own sentence.
    let twice = env.write("twice.tsv", "four\tA.\nfour\tB.\n");
    let twice = twice.to_str().unwrap();
    refused(
        &env,
        &["import", "--deck", "Other", first, twice],
        &format!("{twice}:2:1: the key 'four' is used twice in deck 'Other' (first at line 1)"),
    );
    // Two files in different decks (each its file's name) may share keys.
    let copy = env.write("copy.csv", "one,The first.\ntwo,The second.\n");
    let stdout = env.ok(&["import", first, copy.to_str().unwrap()]);
    assert_eq!(stdout, "Imported: 4 added, 0 updated, 0 unchanged.\n");
}

#[test]
fn a_file_giving_a_key_of_a_built_in_deck_is_refused_with_builtin() {
    let env = Env::new();
    env.ok(&["decks"]);
    let key: String = env.sql(
        "SELECT n.key FROM notes n JOIN decks d ON d.id = n.deck_id \
         WHERE d.name = 'ML::Foundations' ORDER BY n.id LIMIT 1",
    );
    let file = env.write(
        "mine.csv",
        format!("#columns:id,term,definition\n{key},Mine,Mine.\n"),
    );
    let file = file.to_str().unwrap();
    let out = env.run(&["import", "--builtin", "--deck", "ML::Foundations", file]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("jargon: (built-in decks):")
            && stderr.ends_with(&format!(
                ": the key '{key}' of deck 'ML::Foundations' is also in {file}; import them separately\n"
            )),
        "{stderr}"
    );
}

/// `n` short CSV rows, `term N,dN`, from `from` on.
fn short_rows(from: usize, n: usize) -> String {
    let mut csv = String::from("#separator:Comma\n");
    for i in from..from + n {
        csv.push_str(&format!("term {i:07},d{}\n", i % 97));
    }
    csv
}

#[test]
fn an_error_at_the_end_of_the_second_file_writes_nothing() {
    let env = Env::new();
    env.ok(&["decks"]);
    // Large enough for the rollback journal and the key index rebuild, in two decks (one
    // new, one holding notes).
    env.ok(&[
        "import",
        env.write("Held.csv", "kept,Kept.\n").to_str().unwrap(),
    ]);
    let big = env.write("Big.csv", short_rows(0, 12_000));
    let mut second = short_rows(12_000, 3_000).replace("#separator:Comma\n", "#deck:Held\n");
    second.push_str("late,\n");
    let second = env.write("second.csv", second);
    refused(
        &env,
        &["import", big.to_str().unwrap(), second.to_str().unwrap()],
        &format!(
            "{}:3002:6: the note 'late' has no definition",
            second.display()
        ),
    );
}

#[test]
fn a_dry_run_of_several_files_lists_them_all_and_writes_nothing() {
    let env = Env::new();
    env.ok(&["decks"]);
    let files = mixed_files(&env);
    env.ok(&["import", &files[3]]);
    std::fs::write(&files[3], "eta\tChanged.\niota\tThe ninth.\n").unwrap();
    let before = std::fs::read(&env.db).expect("db");
    let rows = env.fingerprint();
    let out = env.run(&args(&["import", "--dry-run"], &files));
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let eta: i64 = env.sql("SELECT id FROM notes WHERE key = 'eta'");
    assert_eq!(
        stdout,
        format!(
            "Dry run, nothing written: would be 7 added, 1 updated, 0 unchanged.\n\
             \x20 add     Mixed/epsilon\n\
             \x20 add     Mixed/zeta\n\
             \x20 add     Mixed/gamma\n\
             \x20 add     Toml deck/alpha\n\
             \x20 add     Toml deck/beta\n\
             \x20 add     Json deck/delta\n\
             \x20 add     Tabs/iota\n\
             \x20 update  Tabs/eta (note {eta})\n"
        )
    );
    assert_eq!(std::fs::read(&env.db).expect("db"), before);
    same(&env.fingerprint(), &rows);
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).expect("metadata").len()
}

/// Short rows in the large file (10 MB), as `tests/import_memory.rs` imports alone.
const ROWS: usize = 600_000;

/// The bound on peak memory against the files' size, in a debug build (as
/// `tests/import_memory.rs`; reading every file first took about 20 times).
const BOUND: f64 = 12.0;

#[test]
fn an_import_of_a_large_file_and_a_small_one_holds_no_more_than_a_few_times_the_files() {
    let env = Env::new();
    env.ok(&["decks"]);
    let big = env.write("big.csv", short_rows(0, ROWS));
    let small = env.write("small.toml", TOML);
    let Some((code, stdout, peak)) = env.run_measured(
        HANG,
        &["import", big.to_str().unwrap(), small.to_str().unwrap()],
    ) else {
        return;
    };
    assert_eq!(code, Some(0));
    assert_eq!(
        stdout,
        format!("Imported: {} added, 0 updated, 0 unchanged.\n", ROWS + 2)
    );
    let ratio = peak as f64 / (size(&big) + size(&small)) as f64;
    assert!(
        ratio < BOUND,
        "peak {peak} bytes, {ratio:.1} times the files"
    );
    assert_eq!(
        env.sql::<i64>(
            "SELECT count(*) FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = 'big'"
        ),
        ROWS as i64
    );
}

#[test]
fn the_import_engine_called_as_a_library_writes_and_reports_as_the_binary_does() {
    let env = Env::new();
    env.ok(&["decks"]);
    let csv = env.write("a.csv", "alpha,the first\nbeta,the second\n");
    let toml = env.write(
        "b.toml",
        "name = \"B\"\n\n[[note]]\nterm = \"gamma\"\ndefinition = \"the third\"\n",
    );
    let mut collection = jargon::store::Collection::open(&env.db).unwrap();
    let config = collection.config().unwrap();
    let now = env.now.parse().unwrap();
    let clock = jargon::clock::Clock::new(now, config.zone, config.rollover_hour);
    let request = jargon::import::Request {
        files: vec![csv, toml],
        dry_run: false,
        on_duplicate: jargon::deck::plan::OnDuplicate::Update,
        builtin: false,
        revlog: None,
        deck: None,
        format: None,
        map_fields: Vec::new(),
    };
    let report = jargon::import::run(
        &mut collection,
        &config,
        &clock,
        &request,
        &mut jargon::import::Quiet,
    )
    .unwrap();
    assert_eq!(
        report,
        jargon::import::Report {
            added: 3,
            ..jargon::import::Report::default()
        }
    );
    assert!(report.changed());
    let keys: Vec<String> = {
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        let mut statement = conn
            .prepare("SELECT d.name || '/' || n.key FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name IN ('a', 'B') ORDER BY n.id")
            .unwrap();
        statement
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(keys, ["a/alpha", "a/beta", "B/gamma"]);
    // The same files again through the binary: nothing to change.
    let again = env.ok(&[
        "import",
        env.path("a.csv").to_str().unwrap(),
        env.path("b.toml").to_str().unwrap(),
    ]);
    assert_eq!(
        again,
        "Nothing to change: 0 added, 0 updated, 3 unchanged.\n"
    );
}

/// Collects what an import says while it works, as data.
#[derive(Default)]
struct Collected {
    would: Option<jargon::import::Report>,
    lines: Vec<String>,
    warnings: Vec<String>,
}

impl jargon::import::Feedback for Collected {
    fn warn(&mut self, warning: &str) {
        self.warnings.push(warning.to_string());
    }

    fn listed(&mut self, line: jargon::import::Listed<'_>) -> jargon::error::Result<()> {
        use jargon::import::Listed;
        match line {
            Listed::Would(report) => self.would = Some(*report),
            Listed::Add { deck, key } => self.lines.push(format!("add {deck}/{key}")),
            Listed::Update { deck, key, note } => {
                self.lines.push(format!("update {deck}/{key} {note}"))
            }
        }
        Ok(())
    }
}

#[test]
fn the_engine_gives_a_dry_run_listing_as_data_and_prints_nothing() {
    let env = Env::new();
    env.ok(&["decks"]);
    env.write("a.csv", "alpha,the first\nbeta,the second\n");
    env.ok(&["import", env.path("a.csv").to_str().unwrap()]);
    // beta changes, gamma is new; a second file adds delta to a new deck.
    let csv = env.write("a.csv", "alpha,the first\nbeta,changed\ngamma,the third\n");
    let toml = env.write(
        "b.toml",
        "name = \"B\"\n\n[[note]]\nterm = \"delta\"\ndefinition = \"the fourth\"\n",
    );
    let mut collection = jargon::store::Collection::open(&env.db).unwrap();
    let config = collection.config().unwrap();
    let clock =
        jargon::clock::Clock::new(env.now.parse().unwrap(), config.zone, config.rollover_hour);
    let request = jargon::import::Request {
        files: vec![csv.clone(), toml.clone()],
        dry_run: true,
        on_duplicate: jargon::deck::plan::OnDuplicate::Update,
        builtin: false,
        revlog: None,
        deck: None,
        format: None,
        map_fields: Vec::new(),
    };
    let mut collected = Collected::default();
    let report =
        jargon::import::run(&mut collection, &config, &clock, &request, &mut collected).unwrap();
    drop(collection);
    let expected = jargon::import::Report {
        dry_run: true,
        added: 2,
        updated: 1,
        unchanged: 1,
        ..jargon::import::Report::default()
    };
    assert_eq!(report, expected);
    assert_eq!(collected.would, Some(expected), "the counts come first");
    let beta = env.sql::<i64>("SELECT id FROM notes WHERE key = 'beta'");
    assert_eq!(
        collected.lines,
        [
            "add a/gamma".to_string(),
            "add B/delta".to_string(),
            format!("update a/beta {beta}"),
        ]
    );
    assert!(collected.warnings.is_empty(), "{:?}", collected.warnings);
    // The binary prints the same listing, and nothing was written.
    let printed = env.ok(&[
        "import",
        "--dry-run",
        csv.to_str().unwrap(),
        toml.to_str().unwrap(),
    ]);
    assert_eq!(
        printed,
        format!(
            "Dry run, nothing written: would be 2 added, 1 updated, 1 unchanged.\n  add     a/gamma\n  add     B/delta\n  update  a/beta (note {beta})\n"
        )
    );
    assert_eq!(
        env.sql::<i64>("SELECT count(*) FROM notes WHERE key IN ('gamma', 'delta')"),
        0
    );
}

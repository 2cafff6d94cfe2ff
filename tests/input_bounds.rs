//! Bounded inputs: `jargon import` refuses what is not a regular file (devices, named pipes,
//! folders) at once, and a file past its format's size limit, in one sentence and with the
//! collection left as it was. The limits are lowered through `JARGON_MAX_INPUT_BYTES`, the
//! testing aid that replaces them all.

use crate::common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Env, text};

/// Bounds a run that could hang (reading a device or a pipe): the test fails instead.
const HANG: Duration = Duration::from_secs(30);

/// Runs `jargon ARGS` with standard input closed, killing it (and failing) past [`HANG`].
fn run_bounded(mut cmd: Command, args: &[&str]) -> Output {
    let mut child = cmd
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn jargon");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > HANG {
            child.kill().expect("kill");
            let _ = child.wait();
            panic!("jargon {args:?} still ran after {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// A collection with its built-in decks, so "unchanged" means something.
fn collection() -> Env {
    let env = Env::new();
    env.ok(&["decks"]);
    env
}

/// Asserts a refusal: exit 1, one line on standard error holding every needle, nothing on
/// standard output, and the collection as it was.
fn assert_refused(env: &Env, cmd: Command, args: &[&str], needles: &[&str]) {
    let before = env.fingerprint();
    let out = run_bounded(cmd, args);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one sentence: {stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
    }
    assert_eq!(stdout, "");
    assert_eq!(env.fingerprint(), before, "the collection changed");
}

const NOT_REGULAR: &str = "not a regular file; jargon imports only files, so save the data to a file first and import that";

#[test]
fn dev_zero_as_csv_is_refused_at_once() {
    let env = collection();
    assert_refused(
        &env,
        env.cmd(),
        &["import", "--format", "csv", "/dev/zero"],
        &["jargon: /dev/zero: is a character device", NOT_REGULAR],
    );
}

#[test]
fn dev_zero_as_a_review_log_is_refused_at_once() {
    let env = collection();
    assert_refused(
        &env,
        env.cmd(),
        &["import", "--revlog", "/dev/zero"],
        &["/dev/zero: is a character device", NOT_REGULAR],
    );
}

#[test]
fn dev_urandom_as_json_and_as_a_package_is_refused_at_once() {
    let env = collection();
    for format in ["json", "toml", "tsv", "apkg"] {
        assert_refused(
            &env,
            env.cmd(),
            &["import", "--format", format, "/dev/urandom"],
            &["/dev/urandom: is a character device", NOT_REGULAR],
        );
    }
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo failed");
}

#[test]
fn a_named_pipe_without_a_writer_is_refused_at_once() {
    let env = collection();
    for (name, extra) in [
        ("deck.csv", None),
        ("deck.toml", None),
        ("deck.json", None),
        ("deck.apkg", None),
        ("pipe", Some("--revlog")),
    ] {
        let fifo = env.path(name);
        mkfifo(&fifo);
        let fifo = fifo.to_str().expect("utf-8 path");
        let mut args = vec!["import"];
        args.extend(extra);
        args.push(fifo);
        assert_refused(
            &env,
            env.cmd(),
            &args,
            &[&format!("{fifo}: is a named pipe"), NOT_REGULAR],
        );
        // Also through --dry-run, which reads every format the same way.
        if extra.is_none() {
            let mut dry = vec!["import", "--dry-run"];
            dry.push(fifo);
            assert_refused(&env, env.cmd(), &dry, &["is a named pipe"]);
        }
    }
}

#[test]
fn a_symbolic_link_to_a_named_pipe_is_refused() {
    let env = collection();
    let fifo = env.path("pipe");
    mkfifo(&fifo);
    let link = env.path("deck.csv");
    std::os::unix::fs::symlink(&fifo, &link).expect("symlink");
    assert_refused(
        &env,
        env.cmd(),
        &["import", link.to_str().unwrap()],
        &["deck.csv: is a named pipe", NOT_REGULAR],
    );
}

#[test]
fn a_directory_is_refused_in_every_role() {
    let env = collection();
    for name in ["folder", "folder.csv", "folder.apkg", "folder.json"] {
        let dir = env.path(name);
        std::fs::create_dir(&dir).expect("mkdir");
        let dir = dir.to_str().unwrap();
        assert_refused(
            &env,
            env.cmd(),
            &["import", dir],
            &[&format!("{dir}: is a directory"), NOT_REGULAR],
        );
    }
    let dir = env.path("folder");
    assert_refused(
        &env,
        env.cmd(),
        &["import", "--revlog", dir.to_str().unwrap()],
        &["folder: is a directory", NOT_REGULAR],
    );
}

/// The binary with every size limit lowered to `bytes`.
fn limited(env: &Env, bytes: u64) -> Command {
    let mut cmd = env.cmd();
    cmd.env("JARGON_MAX_INPUT_BYTES", bytes.to_string());
    cmd
}

const TOML_DECK: &str = "name = \"Small\"\n[[note]]\nterm = \"a\"\ndefinition = \"b\"\n";

#[test]
fn a_file_just_over_the_limit_is_refused_and_one_at_it_is_read() {
    let env = collection();
    let size = TOML_DECK.len() as u64;
    let deck = env.write("small.toml", TOML_DECK);
    let deck = deck.to_str().unwrap();
    assert_refused(
        &env,
        limited(&env, size - 1),
        &["import", deck],
        &[&format!(
            "small.toml: the file holds {size} bytes, more than the {} bytes limit for a TOML deck; split it into smaller files",
            size - 1
        )],
    );
    let out = run_bounded(limited(&env, size), &["import", deck]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    assert_eq!(
        env.sql::<i64>(
            "SELECT count(*) FROM notes JOIN decks d ON d.id = deck_id WHERE d.name = 'Small'"
        ),
        1
    );
}

#[test]
fn every_format_has_its_limit() {
    let env = collection();
    let csv = env.write(
        "rows.csv",
        "term one,definition one\nterm two,definition two\n",
    );
    let tsv = env.write("rows.tsv", "term one\tdefinition one\n");
    let json = env.write(
        "notes.json",
        "[{\"term\": \"json term\", \"definition\": \"a definition\"}]\n",
    );
    let log = env.write(
        "log.csv",
        "card_id,review_rating,review_time\n1,3,2024-03-29T20:32:32Z\n",
    );
    for (file, args, what) in [
        (&csv, vec![], "a CSV file"),
        // Read and parsed whole rather than streamed.
        (&csv, vec!["--dry-run"], "a CSV file"),
        (&tsv, vec![], "a TSV file"),
        (&json, vec![], "a JSON deck"),
        (&log, vec!["--revlog"], "a review log"),
    ] {
        let mut all = vec!["import"];
        all.extend(args);
        all.push(file.to_str().unwrap());
        assert_refused(
            &env,
            limited(&env, 10),
            &all,
            &[
                file.file_name().unwrap().to_str().unwrap(),
                &format!("more than the 10 bytes limit for {what}"),
            ],
        );
    }
}

/// A deck of `n` notes in `format` ("toml" or "json"), the last one without a definition
/// when `broken`.
fn deck_text(format: &str, n: usize, broken: bool) -> String {
    let definition = |i: usize| {
        if broken && i + 1 == n {
            String::new()
        } else {
            format!("meaning {i}")
        }
    };
    match format {
        "toml" => {
            let mut text =
                String::from("name = \"Read while written\"\ndescription = \"From a file.\"\n");
            for i in 0..n {
                text.push_str(&format!(
                    "[[note]]\nterm = \"term {i}\"\ndefinition = \"{}\"\n",
                    definition(i)
                ));
            }
            text
        }
        _ => {
            let notes: Vec<String> = (0..n)
                .map(|i| {
                    format!(
                        "{{\"deck\": \"Read while written\", \"term\": \"term {i}\", \"definition\": \"{}\"}}",
                        definition(i)
                    )
                })
                .collect();
            format!("[\n{}\n]\n", notes.join(",\n"))
        }
    }
}

fn deck_count(env: &Env) -> i64 {
    env.sql("SELECT count(*) FROM notes JOIN decks d ON d.id = deck_id WHERE d.name = 'Read while written'")
}

#[test]
fn toml_and_json_decks_are_written_while_read_and_a_late_error_writes_nothing() {
    for format in ["toml", "json"] {
        let env = collection();
        // Large enough for every streamed path: batches, the key index rebuilt.
        let n = 12_000;
        let bad = env.write(&format!("bad.{format}"), deck_text(format, n, true));
        assert_refused(
            &env,
            env.cmd(),
            &["import", bad.to_str().unwrap()],
            &[&format!("bad.{format}:"), "has no definition"],
        );
        let good = env.write(&format!("good.{format}"), deck_text(format, n, false));
        let out = run_bounded(env.cmd(), &["import", good.to_str().unwrap()]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert_eq!(
            stdout,
            format!("Imported: {n} added, 0 updated, 0 unchanged.\n")
        );
        assert_eq!(deck_count(&env), n as i64);
        if format == "toml" {
            assert_eq!(
                env.sql::<String>(
                    "SELECT description FROM decks WHERE name = 'Read while written'"
                ),
                "From a file."
            );
        }
        // Again, into the deck that now holds them: planned against the stored notes.
        let out = run_bounded(env.cmd(), &["import", good.to_str().unwrap()]);
        assert_eq!(
            text(&out).0,
            format!("Nothing to change: 0 added, 0 updated, {n} unchanged.\n")
        );
        let out = run_bounded(env.cmd(), &["check"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    }
}

#[test]
fn a_streamed_toml_deck_updates_its_description_in_a_deck_that_holds_notes() {
    let env = collection();
    let first = env.write("first.toml", deck_text("toml", 3, false));
    env.ok(&["import", first.to_str().unwrap()]);
    let changed = deck_text("toml", 3, false).replace("From a file.", "Changed.");
    let second = env.write("second.toml", changed);
    let out = run_bounded(env.cmd(), &["import", second.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    assert_eq!(
        env.sql::<String>("SELECT description FROM decks WHERE name = 'Read while written'"),
        "Changed."
    );
}

#[test]
fn a_dash_is_not_standard_input() {
    let env = collection();
    // In a folder with no file named "-".
    let mut cmd = env.cmd();
    cmd.current_dir(env.dir.path());
    assert_refused(
        &env,
        cmd,
        &["import", "--format", "csv", "-"],
        &["-: jargon does not read imports from standard input; save the data to a file first"],
    );
}

/// A dry run holds the notes once (the plan takes them rather than copying them) and names
/// each update's deck from where the note was found, not by searching every deck for its key.
#[test]
fn a_dry_run_names_the_deck_of_each_update() {
    let env = collection();
    let deck = |b: &str| {
        format!(
            "[{{\"deck\": \"A\", \"id\": \"k\", \"term\": \"alpha\", \"definition\": \"first\"}},\n \
             {{\"deck\": \"B\", \"id\": \"k\", \"term\": \"beta\", \"definition\": \"{b}\"}}]\n"
        )
    };
    let file = env.write("two.json", deck("second"));
    env.ok(&["import", file.to_str().unwrap()]);
    let id: i64 =
        env.sql("SELECT n.id FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = 'B'");
    let file = env.write("two.json", deck("changed"));
    let before = env.fingerprint();
    let out = run_bounded(env.cmd(), &["import", "--dry-run", file.to_str().unwrap()]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stdout,
        format!(
            "Dry run, nothing written: would be 0 added, 1 updated, 1 unchanged.\n  update  B/k (note {id})\n"
        )
    );
    assert_eq!(env.fingerprint(), before);
}

/// A refusal quotes what it refuses, but never a whole field: a 5 MB review_duration is said in
/// one short sentence that still names the file, line and column and what was expected.
#[test]
fn a_huge_bad_field_is_quoted_in_part_not_whole() {
    let env = collection();
    let log = env.write(
        "huge.csv",
        format!(
            "card_id,review_time,review_rating,review_duration\n1,2024-01-01T00:00:00Z,3,{}\n",
            "9".repeat(5_000_000)
        ),
    );
    let out = run_bounded(env.cmd(), &["import", "--revlog", log.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.len() < 400,
        "{} bytes: {}",
        stderr.len(),
        &stderr[..400]
    );
    assert!(
        stderr.contains("huge.csv:2:26: the review_duration '999"),
        "{stderr}"
    );
    assert!(
        stderr
            .trim_end()
            .ends_with("is not a number of milliseconds from 0 to 4294967295"),
        "{stderr}"
    );
    assert!(stderr.contains('…'), "{stderr}");
}

//! A review answering while another jargon writes a large import: the session waits for the
//! collection instead of failing, says once that the answer is kept, and every answer it
//! printed as taken is in the log. Two sessions answering the same card still get the
//! conflict message.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{Env, text};

/// The line the review prints when an answer waits for the collection.
const KEPT: &str = "another jargon is writing to the collection; your answer is kept and will be saved as soon as it is free";

fn big_csv(env: &Env, rows: usize) -> PathBuf {
    let mut csv = String::with_capacity(rows * 32);
    csv.push_str("term,definition\n");
    for i in 0..rows {
        csv.push_str(&format!("term {i},definition {i}\n"));
    }
    env.write("big.csv", csv)
}

/// Kills the child if the test fails before waiting for it, so no process outlives the test.
struct Guard(Option<Child>);

impl Guard {
    fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("child")
    }

    fn wait_bounded(&mut self, limit: Duration) -> std::process::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child().try_wait().expect("try_wait") {
                self.0 = None;
                return status;
            }
            assert!(started.elapsed() < limit, "the process hung");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn journal(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-journal");
    PathBuf::from(name)
}

#[test]
fn a_review_answering_during_a_large_import_waits_and_loses_no_answer() {
    let env = Env::new();
    env.ok(&["decks"]);
    let csv = big_csv(&env, 200_000);

    let mut import = Guard(Some(
        env.cmd()
            .args(["import", csv.to_str().unwrap()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn import"),
    ));
    // The import has the collection to itself, so it writes with a rollback journal: the
    // journal file appears once it holds the write lock.
    let db = env.db.clone();
    wait_for("the import's journal", Duration::from_secs(60), || {
        journal(&db).exists()
    });

    let mut review = Guard(Some(
        env.cmd()
            .args(["review", "--new", "60"])
            // Short, so an answer given during the import gives up waiting and is retried.
            .env("JARGON_BUSY_TIMEOUT_MS", "100")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn review"),
    ));
    let stdout = review.child().stdout.take().expect("stdout");
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("line");
            let _ = lines_tx.send(line.clone());
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let mut stderr = review.child().stderr.take().expect("stderr");
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    // The first card is on screen before the import commits.
    let first = lines_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the review started");
    assert!(first.contains("to review"), "{first}");
    assert!(
        journal(&env.db).exists(),
        "the import finished before the review started"
    );

    let answers = 40;
    {
        let mut stdin = review.child().stdin.take().expect("stdin");
        for _ in 0..answers {
            if stdin.write_all(b"g\n").is_err() {
                break; // The review ended early; its status says why.
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        let import_status = import.wait_bounded(Duration::from_secs(120));
        assert!(import_status.success(), "the import failed");
        // Closing standard input ends the session.
    }
    let status = review.wait_bounded(Duration::from_secs(120));
    let stdout = reader.join().expect("reader");
    let stderr = stderr_reader.join().expect("stderr reader");
    assert!(status.success(), "the review failed: {stderr}\n{stdout}");
    assert_eq!(stderr, "");
    assert!(
        stdout.contains(KEPT),
        "no answer waited for the import:\n{stdout}"
    );
    let taken = stdout.matches("next in").count();
    assert_eq!(taken, answers, "{stdout}");
    assert_eq!(
        env.sql::<i64>("SELECT count(*) FROM reviews"),
        answers as i64
    );
    assert_eq!(
        env.sql::<i64>(
            "SELECT count(*) FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = 'big'"
        ),
        200_000
    );
}

#[test]
fn two_sessions_answering_the_same_card_keep_the_conflict_message() {
    let env = Env::new();
    env.ok(&["decks"]);
    // The first session shows its first card and waits; the second answers the same card.
    let mut first = Guard(Some(
        env.cmd()
            .args(["review", "--new", "1"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn review"),
    ));
    let stdout = first.child().stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let started = lines.next().expect("a line").expect("utf-8");
    assert!(started.contains("to review"), "{started}");
    let second = env.run_with_input(&["review", "--new", "1"], "g\n");
    assert!(second.status.success(), "{}", text(&second).1);
    {
        let mut stdin = first.child().stdin.take().expect("stdin");
        stdin.write_all(b"g\n").expect("answer");
    }
    let mut stderr = String::new();
    first
        .child()
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let status = first.wait_bounded(Duration::from_secs(60));
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("was changed by another jargon session; its answer was not recorded"),
        "{stderr}"
    );
    assert_eq!(env.sql::<i64>("SELECT count(*) FROM reviews"), 1);
}

//! Learning steps in the review under `anki`: cards on a step are due at an instant, come
//! back when it comes (before new cards, with no re-drill), the review waits for one due
//! within `learn_ahead` (a countdown on a terminal that Ctrl-D ends at once), and the
//! preview shows steps in minutes. Line mode and a real pseudo-terminal. Waits run on
//! `JARGON_NOW_RATE` (session time 600 times faster) so no test sleeps for minutes.

use crate::common;

use std::process::Command;
use std::time::Duration;

use common::{Env, text};
use expectrl::{ControlCode, Session};

/// Deck Q with notes t1..t3, scheduler anki, fuzz off.
fn anki_deck() -> Env {
    let env = Env::new();
    let mut deck = String::from("name = \"Q\"\n");
    for i in 1..=3 {
        deck.push_str(&format!(
            "\n[[note]]\nterm = \"t{i}\"\ndefinition = \"definition number {i}\"\n"
        ));
    }
    let path = env.write("q.toml", deck);
    env.ok(&["import", path.to_str().unwrap()]);
    env.ok(&["config", "set", "fuzz", "false"]);
    env.ok(&["config", "set", "scheduler", "anki"]);
    env
}

/// A line-mode review of deck Q, the session clock running `rate` times faster.
fn review(env: &Env, rate: u32, args: &[&str], input: &str) -> String {
    let mut all = vec!["review", "--deck", "Q"];
    all.extend_from_slice(args);
    let mut child = env
        .cmd()
        .args(&all)
        .env("JARGON_NOW_RATE", rate.to_string())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}\n{stdout}");
    stdout
}

/// The definitions shown, in order ("1", "2", ...).
fn shown(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.trim().strip_prefix("definition number "))
        .map(str::to_string)
        .collect()
}

#[test]
fn learning_cards_whose_step_has_come_are_shown_before_a_new_card() {
    let mut env = anki_deck();
    env.ok(&["config", "set", "learn_ahead", "0"]);
    // 09:00: t1 and t2 answered Again, each on its 1-minute step (due 09:01).
    let first = review(&env, 1, &["--new", "2"], "a\na\n");
    assert!(first.contains("again · back in 1m (09:01)"), "{first}");
    assert!(!first.contains("re-drill"), "{first}");
    assert!(
        first.contains("Session over: 2 cards reviewed, 0 correct (0%), 0 learning steps"),
        "{first}"
    );
    assert!(
        first.contains("2 learning cards later today, the next at 09:01 (in 1m)"),
        "{first}"
    );
    // 09:11: both are due, and come before the new card t3.
    env.now = "2026-11-22T09:11:00Z".into();
    let second = review(&env, 1, &["--new", "1"], "g\ng\ng\n");
    assert_eq!(shown(&second), ["1", "2", "3"], "{second}");
    assert!(second.contains("3 cards to review"), "{second}");
    assert_eq!(
        env.sql::<i64>("SELECT count(*) FROM reviews WHERE kind = 'drill'"),
        0
    );
    assert_eq!(
        env.sql::<i64>("SELECT count(*) FROM reviews WHERE kind = 'schedule'"),
        5
    );
}

#[test]
fn again_brings_the_card_back_when_its_step_is_due_and_the_review_waits_for_it() {
    let env = anki_deck();
    // Again (1m), then Good (10m), then Good graduates it: three answers, two waits.
    let out = review(&env, 600, &["--new", "1"], "a\ng\ng\n");
    assert_eq!(shown(&out), ["1", "1", "1"], "{out}");
    // The session's clock runs 600 times faster, so a few milliseconds take seconds off.
    assert_eq!(out.matches("Waiting: next card in ").count(), 2, "{out}");
    assert!(out.contains("again · back in "), "{out}");
    assert!(out.contains("── Q · step 1 · learning"), "{out}");
    assert!(out.contains("── Q · step 2 · learning"), "{out}");
    assert!(out.contains("good · next in 1d"), "{out}");
    assert!(
        out.contains("Session over: 1 card reviewed, 0 correct (0%), 2 learning steps"),
        "{out}"
    );
    let phases: String = env.sql(
        "SELECT group_concat(kind || ':' || phase_before || '>' || phase_after || ':' || step_after, ' ')
         FROM (SELECT * FROM reviews ORDER BY id)",
    );
    assert_eq!(
        phases,
        "schedule:new>learning:0 schedule:learning>learning:1 schedule:learning>review:0"
    );
    env.ok(&["check"]);
}

#[test]
fn a_step_beyond_learn_ahead_ends_the_session_saying_when_it_is_due() {
    let mut env = anki_deck();
    env.ok(&["config", "set", "learn_ahead", "5"]);
    let out = review(&env, 1, &["--new", "1"], "g\n");
    assert!(!out.contains("Waiting"), "{out}");
    assert!(
        out.contains("1 learning card later today, the next at 09:10 (in 10m)"),
        "{out}"
    );
    // Later, before it is due: nothing to show, and the message says when.
    env.now = "2026-11-22T09:02:00Z".into();
    let out = review(&env, 1, &["--new", "0"], "");
    assert_eq!(
        out.trim(),
        "Nothing is due now: 1 learning card later today, the next at 09:10 (in 8m)."
    );
    // The status counts it among today's learning cards.
    let status = env.ok(&[]);
    assert!(status.contains("Today: 1 due"), "{status}");
}

#[test]
fn the_preview_shows_learning_steps_in_minutes() {
    // At the fastest session clock a millisecond is more than a second of session time: the
    // steps are said from the moment the states were worked out, so they stay exact however
    // long the printing takes.
    for _ in 0..3 {
        let env = anki_deck();
        let out = review(&env, 3600, &["--new", "1"], "\ng\n");
        assert!(
            out.contains("again 1m · hard 6m · good 10m · easy 4d"),
            "{out}"
        );
        assert!(out.contains("good · back in 10m (09:"), "{out}");
    }
}

#[test]
fn sm2_still_redrills_a_card_answered_below_good() {
    let env = anki_deck();
    env.ok(&["config", "set", "scheduler", "sm2"]);
    let out = review(&env, 1, &["--new", "1"], "a\ng\n");
    assert!(out.contains("comes back in a few cards"), "{out}");
    assert!(out.contains("re-drill"), "{out}");
    assert!(out.contains("1 re-drilled"), "{out}");
    assert!(!out.contains("Waiting"), "{out}");
}

/// `jargon review --deck Q --new 1` on a pseudo-terminal, the session clock `rate` times
/// faster.
fn spawn(env: &Env, columns: u16, rate: u32) -> Session {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jargon"));
    cmd.args(["review", "--deck", "Q", "--new", "1"])
        .env("JARGON_DB", &env.db)
        .env("JARGON_NOW", &env.now)
        .env("JARGON_NOW_RATE", rate.to_string())
        .env("TZ", "UTC")
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let mut session = Session::spawn(cmd).expect("spawn jargon in a pty");
    session
        .get_process_mut()
        .set_window_size(columns, 24)
        .expect("window size");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

#[test]
fn the_countdown_shows_and_ctrl_d_or_ctrl_c_ends_it_at_once_with_the_summary() {
    for (columns, key) in [(80, ControlCode::EOT), (60, ControlCode::ETX)] {
        let env = anki_deck();
        let mut p = spawn(&env, columns, 1);
        p.expect("reveal>").unwrap();
        p.send_line("g").unwrap();
        p.expect("good · back in 10m (09:10)").unwrap();
        // Real time: the step is ten minutes away, so only the key ends the wait in time.
        p.expect("next card in 9:5").unwrap();
        p.expect("Ctrl-D to stop").unwrap();
        p.send(key).unwrap();
        p.expect("Session over: 1 card reviewed").unwrap();
        p.expect("1 learning card later today, the next at 09:10")
            .unwrap();
        p.expect(expectrl::Eof).unwrap();
        assert_eq!(
            env.sql::<i64>("SELECT count(*) FROM reviews"),
            1,
            "{columns} columns"
        );
    }
}

#[test]
fn on_a_terminal_the_card_is_shown_when_the_countdown_ends() {
    let env = anki_deck();
    let mut p = spawn(&env, 80, 600);
    p.expect("reveal>").unwrap();
    p.send_line("a").unwrap();
    p.expect("next card in").unwrap();
    p.expect("step 1").unwrap();
    p.send_line("g").unwrap();
    p.expect("good · back in 10m").unwrap();
    p.send(ControlCode::EOT).unwrap();
    p.expect("Session over").unwrap();
    p.expect(expectrl::Eof).unwrap();
    assert_eq!(env.sql::<i64>("SELECT count(*) FROM reviews"), 2);
}

/// A line-mode review of deck Q at the session's real pace, failing if it is still running
/// after 60 s (it would be waiting out a step).
fn review_bounded(env: &Env, args: &[&str], input: &[u8]) -> String {
    let mut all = vec!["review", "--deck", "Q"];
    all.extend_from_slice(args);
    let mut child = env
        .cmd()
        .args(&all)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input).unwrap();
    }
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!("the review still waited after 60 s:\n{}", text(&out).0);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}\n{stdout}");
    stdout
}

/// A script whose answers have run out has nothing to give the card it would wait for: the
/// review ends at once with its summary instead of waiting out the step (here ten minutes of
/// real time; before, `printf 'g\n' | jargon review` under anki sat through them).
#[test]
fn a_script_whose_input_has_ended_is_not_kept_waiting_for_a_step() {
    let env = anki_deck();
    // Good on the new card: its next step is 10 minutes away, within learn_ahead (20).
    let stdout = review_bounded(&env, &["--new", "1"], b"\ng\n");
    assert!(stdout.contains("Session over: 1 card reviewed"), "{stdout}");
    assert!(
        stdout.contains("1 learning card later today, the next at 09:10 (in 10m)"),
        "{stdout}"
    );
    assert!(!stdout.contains("Waiting"), "{stdout}");
}

/// `:undo` right after the last answer is read before the step is waited for, so a script
/// (and a learner, with Enter during the countdown) can still take the answer back.
#[test]
fn a_command_after_the_last_answer_is_read_before_the_step_is_waited_for() {
    let env = anki_deck();
    let stdout = review_bounded(&env, &["--new", "1"], b"\ng\n:undo\n:quit\n");
    assert!(
        stdout.contains("Undid good on 't1'; it is shown again."),
        "{stdout}"
    );
    assert!(!stdout.contains("Waiting"), "{stdout}");
    assert_eq!(env.sql::<i64>("SELECT count(*) FROM reviews"), 0);
    assert!(env.ok(&["check"]).starts_with("ok: "));
}

/// A Ctrl-D pressed while the answer is still being saved (here: another connection holds
/// the collection's write lock) reaches the countdown that follows and ends the session at
/// once. Before, the terminal was back in canonical mode between prompts and turned the
/// key into a NUL byte: the countdown ignored it and sat out the ten minutes of the step.
#[test]
fn a_ctrl_d_pressed_while_the_answer_is_saved_ends_the_countdown_that_follows() {
    let env = anki_deck();
    let holder = rusqlite::Connection::open(&env.db).unwrap();
    // Real time: only the key can end the ten-minute wait within the test's patience.
    let mut p = spawn(&env, 80, 1);
    p.expect("reveal>").unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    p.send_line("g").unwrap();
    p.expect("your answer is kept").unwrap();
    p.send(ControlCode::EOT).unwrap();
    // Let the key land while jargon still waits for the collection.
    std::thread::sleep(Duration::from_millis(300));
    holder.execute_batch("ROLLBACK").unwrap();
    p.expect("good · back in 10m").unwrap();
    p.expect("Session over: 1 card reviewed").unwrap();
    p.expect(expectrl::Eof).unwrap();
    assert_eq!(env.sql::<i64>("SELECT count(*) FROM reviews"), 1);
}

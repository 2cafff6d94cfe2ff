//! `jargon config set scheduler NAME [--reschedule [--yes]]` through the binary: a switch
//! recomputes every card's state from its log and keeps due dates, `check` agrees after every
//! switch, the same scheduler changes nothing, `--reschedule` refuses without a terminal or
//! `--yes`, its question on a terminal answered no leaves everything as it was (yes moves the
//! cards), and a large switch draws its bar on a terminal.

use crate::common;

use std::process::Command;
use std::time::Duration;

use common::Env;
use expectrl::{Session, WaitStatus};

/// A review log of six cards answered over two months before the tests' clock
/// (2026-11-22): first answers, lapses, late and early answers, every button.
fn scripted_log(env: &Env) -> std::path::PathBuf {
    let mut csv = String::from("card_id,review_time,review_rating,review_duration\n");
    let answers: &[(i64, &[(&str, u8)])] = &[
        (1, &[("09-20", 3), ("09-21", 3), ("09-27", 3), ("10-15", 4)]),
        (
            2,
            &[
                ("09-20", 1),
                ("09-20", 3),
                ("09-22", 2),
                ("10-01", 1),
                ("10-02", 3),
            ],
        ),
        (3, &[("10-01", 4), ("10-20", 3), ("11-20", 3)]),
        (
            4,
            &[
                ("09-25", 3),
                ("09-26", 3),
                ("10-01", 3),
                ("10-20", 1),
                ("10-21", 3),
                ("11-01", 3),
            ],
        ),
        (5, &[("11-15", 2), ("11-16", 3), ("11-18", 4)]),
        (6, &[("08-01", 3), ("08-02", 4), ("09-30", 3)]),
    ];
    for (card, rows) in answers {
        for (n, (date, rating)) in rows.iter().enumerate() {
            csv.push_str(&format!(
                "{card},2026-{date}T1{n}:00:00+00:00,{rating},5000\n"
            ));
        }
    }
    env.write("log.csv", csv)
}

/// A collection holding the scripted log, checked once.
fn with_history() -> Env {
    let env = Env::new();
    let log = scripted_log(&env);
    env.ok(&["import", "--revlog", log.to_str().expect("UTF-8 path")]);
    assert_check_ok(&env);
    env
}

fn assert_check_ok(env: &Env) {
    let out = env.run(&["check"]);
    let (stdout, stderr) = common::text(&out);
    assert!(out.status.success(), "check failed:\n{stdout}{stderr}");
    assert!(stdout.starts_with("ok: "), "{stdout}");
}

/// A logged card's (id, due day, due instant, interval, ease, repetitions, lapses, phase).
type Stored = (i64, Option<i64>, Option<i64>, i64, i64, i64, i64, String);

fn states(env: &Env) -> Vec<Stored> {
    let conn = rusqlite::Connection::open(&env.db).expect("open db");
    let mut stmt = conn
        .prepare(
            "SELECT id, due_day, due_at, interval_days, ease_permille, repetitions, lapses, phase
             FROM card_states WHERE id IN (SELECT card_id FROM reviews) ORDER BY id",
        )
        .expect("prepare");
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
        ))
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

fn dues(env: &Env) -> Vec<(i64, Option<i64>, Option<i64>)> {
    states(env).into_iter().map(|s| (s.0, s.1, s.2)).collect()
}

fn review_rows(env: &Env) -> i64 {
    env.sql("SELECT count(*) FROM reviews")
}

#[test]
fn switching_recomputes_the_states_keeps_due_dates_and_check_agrees_each_way() {
    let env = with_history();
    let sm2 = states(&env);
    let rows = review_rows(&env);
    let out = env.ok(&["config", "set", "scheduler", "anki"]);
    assert_eq!(
        out,
        "scheduler = anki (6 cards replayed from their logs, 6 changed, due dates kept)\n"
    );
    assert_check_ok(&env);
    let anki = states(&env);
    assert_eq!(
        dues(&env),
        sm2.iter().map(|s| (s.0, s.1, s.2)).collect::<Vec<_>>()
    );
    assert_ne!(
        anki, sm2,
        "Anki's rules give other intervals, eases and counts"
    );
    // Anki's `reps` counts every answer: card 4 was answered six times.
    assert_eq!(anki[3].5, 6, "{anki:?}");
    assert_eq!(review_rows(&env), rows, "a switch writes no row");
    assert_eq!(env.ok(&["config", "get", "scheduler"]), "anki\n");

    env.ok(&["config", "set", "scheduler", "sm2"]);
    assert_check_ok(&env);
    assert_eq!(
        states(&env),
        sm2,
        "back to sm2: the states replay gave before"
    );
    assert_eq!(review_rows(&env), rows);
}

#[test]
fn answers_given_after_a_switch_replay_and_survive_switching_back_and_forth() {
    let env = with_history();
    env.ok(&["config", "set", "scheduler", "anki"]);
    // Every scripted card is due by now; answer three of them under anki.
    let out = env.run_with_input(&["review", "--limit", "3"], "\ng\n\na\n\ne\n:quit\n");
    assert!(out.status.success(), "{}", common::text(&out).1);
    let answered: i64 =
        env.sql("SELECT count(*) FROM reviews WHERE scheduler = 'anki' AND kind = 'schedule'");
    assert_eq!(answered, 3);
    assert_check_ok(&env);
    let anki = states(&env);
    env.ok(&["config", "set", "scheduler", "sm2"]);
    assert_check_ok(&env);
    assert_eq!(
        dues(&env),
        anki.iter().map(|s| (s.0, s.1, s.2)).collect::<Vec<_>>()
    );
    env.ok(&["config", "set", "scheduler", "anki"]);
    assert_check_ok(&env);
    assert_eq!(states(&env), anki, "switching back gives the same states");
}

#[test]
fn a_check_that_ignores_the_switch_would_fail_so_the_stored_state_is_the_converted_one() {
    // The stored state after a switch is not the one the rows' own scheduler gives: with
    // the active scheduler set back behind the switch's back, `check` must see a difference.
    let env = with_history();
    env.ok(&["config", "set", "scheduler", "anki"]);
    let conn = rusqlite::Connection::open(&env.db).expect("open db");
    conn.execute(
        "UPDATE config SET value = 'sm2' WHERE key = 'scheduler'",
        [],
    )
    .expect("set back");
    drop(conn);
    let out = env.run(&["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::text(&out).0);
    let (stdout, _) = common::text(&out);
    assert!(stdout.contains("differs from its replayed log"), "{stdout}");
}

#[test]
fn setting_the_scheduler_the_collection_has_changes_nothing() {
    let env = with_history();
    let before = env.fingerprint();
    let out = env.ok(&["config", "set", "scheduler", "sm2"]);
    assert_eq!(out, "scheduler = sm2 (already; nothing changed)\n");
    assert_eq!(env.fingerprint(), before);
    env.ok(&["config", "set", "scheduler", "anki"]);
    let before = env.fingerprint();
    env.ok(&["config", "set", "scheduler", "anki"]);
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn reschedule_without_a_terminal_or_yes_is_refused_and_changes_nothing() {
    let env = with_history();
    env.ok(&["config", "set", "scheduler", "anki"]);
    let before = env.fingerprint();
    let err = env.fails(&["config", "set", "scheduler", "sm2", "--reschedule"], 2);
    assert_eq!(
        err,
        "jargon: --reschedule asks before it moves due dates, and standard input is not a terminal to ask on; add --yes to reschedule without asking\n"
    );
    assert_eq!(env.fingerprint(), before);
    let err = env.fails(&["config", "set", "fuzz", "false", "--reschedule"], 2);
    assert_eq!(
        err,
        "jargon: --reschedule goes with `config set scheduler` only\n"
    );
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn an_unknown_scheduler_is_a_usage_error_and_changes_nothing() {
    let env = with_history();
    let before = env.fingerprint();
    let err = env.fails(&["config", "set", "scheduler", "supermemo"], 2);
    assert!(err.contains("unknown scheduler 'supermemo'"), "{err}");
    assert_eq!(env.fingerprint(), before);
}

/// Runs `jargon args` in a pseudo-terminal, answers `answer` to its question, and returns
/// everything it wrote there and its exit status.
fn in_pty_answering(env: &Env, args: &[&str], answer: &str) -> (String, WaitStatus) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jargon"));
    cmd.args(args)
        .env("JARGON_DB", &env.db)
        .env("JARGON_NOW", &env.now)
        .env("TZ", "UTC")
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let mut session = Session::spawn(cmd).expect("spawn in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    let question = session.expect("[y/N] ").expect("the question");
    session.send_line(answer).expect("answer");
    let rest = session.expect(expectrl::Eof).expect("the process ends");
    let output = format!(
        "{}{}{}",
        String::from_utf8_lossy(question.before()),
        String::from_utf8_lossy(&question[0]),
        String::from_utf8_lossy(rest.as_bytes())
    );
    let status = session.get_process().wait().expect("wait");
    (output, status)
}

#[test]
fn the_reschedule_question_on_a_terminal_answered_no_changes_nothing_and_yes_moves_the_cards() {
    let env = with_history();
    env.ok(&["config", "set", "scheduler", "anki"]);
    let before = env.fingerprint();
    let (output, status) = in_pty_answering(
        &env,
        &["config", "set", "scheduler", "anki", "--reschedule"],
        "n",
    );
    assert!(
        matches!(status, WaitStatus::Exited(_, 0)),
        "{status:?}\n{output}"
    );
    assert!(
        output.contains("Rescheduling to anki moves the due dates of "),
        "the preview comes first: {output:?}"
    );
    assert!(
        output.contains("Reviews due (overdue included)"),
        "{output:?}"
    );
    let question = output
        .lines()
        .find(|line| line.contains("[y/N]"))
        .expect("the question");
    assert!(
        question.starts_with("Reschedule ") && question.contains(" cards? [y/N]"),
        "{question:?}"
    );
    assert!(output.contains("Nothing was changed."), "{output:?}");
    assert_eq!(env.fingerprint(), before);

    // Answered yes, the cards move.
    let moved: usize = question
        .trim_start_matches("Reschedule ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("the number of cards in the question");
    let (output, status) = in_pty_answering(
        &env,
        &["config", "set", "scheduler", "anki", "--reschedule"],
        "y",
    );
    assert!(
        matches!(status, WaitStatus::Exited(_, 0)),
        "{status:?}\n{output}"
    );
    assert!(
        output.contains(&format!(", {moved} rescheduled)")),
        "{output:?}"
    );
    let written: i64 = env.sql("SELECT count(*) FROM reviews WHERE kind = 'reschedule'");
    assert_eq!(written as usize, moved);
    assert_check_ok(&env);
}

/// The logged cards' memory columns (stability, difficulty), in card order.
fn memories(env: &Env) -> Vec<(Option<f64>, Option<f64>)> {
    let conn = rusqlite::Connection::open(&env.db).expect("open db");
    let mut stmt = conn
        .prepare(
            "SELECT stability, difficulty FROM card_states
             WHERE id IN (SELECT card_id FROM reviews) ORDER BY id",
        )
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// The number in `text` right after `before`.
fn number_after(text: &str, before: &str) -> u64 {
    let start = text
        .find(before)
        .unwrap_or_else(|| panic!("{before:?} in {text:?}"))
        + before.len();
    text[start..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a number after {before:?} in {text:?}"))
}

#[test]
fn switching_to_fsrs_gives_every_card_its_memory_and_keeps_due_dates() {
    let env = with_history();
    let before = dues(&env);
    assert!(memories(&env).iter().all(|m| *m == (None, None)));
    env.ok(&["config", "set", "scheduler", "fsrs"]);
    assert_check_ok(&env);
    assert_eq!(dues(&env), before);
    let memories = memories(&env);
    assert_eq!(memories.len(), 6);
    for (stability, difficulty) in memories {
        let (s, d) = (
            stability.expect("stability"),
            difficulty.expect("difficulty"),
        );
        assert!(s > 0.0 && (1.0..=10.0).contains(&d), "{s} {d}");
    }
    // Back to sm2: the memory goes with the scheduler, the SM-2 states come back.
    env.ok(&["config", "set", "scheduler", "sm2"]);
    assert_check_ok(&env);
    assert!(self::memories(&env).iter().all(|m| *m == (None, None)));
}

#[test]
fn reschedule_with_yes_previews_writes_one_row_per_moved_card_and_check_agrees() {
    let env = with_history();
    let kept = dues(&env);
    let rows = review_rows(&env);
    let out = env.ok(&[
        "config",
        "set",
        "scheduler",
        "fsrs",
        "--reschedule",
        "--yes",
    ]);
    let moved = number_after(&out, "moves the due dates of ");
    let earlier = number_after(&out, "cards: ");
    let later = number_after(&out, " earlier, ");
    assert!(moved > 0 && earlier + later == moved, "{out}");
    assert!(
        out.contains("Reviews due (overdue included)  next 7 days  next 30 days\n"),
        "{out}"
    );
    assert!(
        out.ends_with(&format!("{moved} rescheduled)\n")),
        "the report names the rescheduled cards: {out}"
    );
    assert_check_ok(&env);
    let written: i64 = env.sql("SELECT count(*) FROM reviews WHERE kind = 'reschedule'");
    assert_eq!(written as u64, moved);
    assert_eq!(review_rows(&env), rows + written);
    let now = dues(&env);
    let changed = now.iter().zip(&kept).filter(|(a, b)| a != b).count();
    assert_eq!(changed as u64, moved, "{kept:?} -> {now:?}");
    // Each row goes from the kept due date to the stored one, under fsrs, and is no study.
    let agree: i64 = env.sql(
        "SELECT count(*) FROM reviews r JOIN card_states c ON c.id = r.card_id
         WHERE r.kind = 'reschedule' AND r.scheduler = 'fsrs'
           AND c.due_day IS r.due_day_after AND c.due_at IS r.due_at_after
           AND (r.due_day_before IS NOT r.due_day_after OR r.due_at_before IS NOT r.due_at_after)",
    );
    assert_eq!(agree, written);
    // Asked again, nothing is left to move.
    let again = env.ok(&[
        "config",
        "set",
        "scheduler",
        "fsrs",
        "--reschedule",
        "--yes",
    ]);
    assert!(
        again.starts_with("Rescheduling to fsrs moves no due date.\n"),
        "{again}"
    );
    assert_eq!(review_rows(&env), rows + written);

    // A session under fsrs, then anki and back to sm2: check agrees at every step.
    let out = env.run_with_input(&["review", "--limit", "3"], "\ng\n\nh\n\na\n:quit\n");
    assert!(out.status.success(), "{}", common::text(&out).1);
    let answered: i64 =
        env.sql("SELECT count(*) FROM reviews WHERE scheduler = 'fsrs' AND kind = 'schedule'");
    assert_eq!(answered, 3);
    assert_check_ok(&env);
    let fsrs = dues(&env);
    env.ok(&["config", "set", "scheduler", "anki"]);
    assert_check_ok(&env);
    assert_eq!(dues(&env), fsrs);
    env.ok(&["config", "set", "scheduler", "sm2"]);
    assert_check_ok(&env);
    assert_eq!(dues(&env), fsrs);
}

#[test]
fn the_real_log_switches_reschedules_reviews_and_switches_back_with_check_passing() {
    let Some(log) = common::shared_data(
        "scheduler_switch::the_real_log_switches_reschedules_reviews_and_switches_back_with_check_passing",
        "revlog-py-fsrs.csv",
    ) else {
        return;
    };
    let env = Env::new();
    env.ok(&["import", "--revlog", log.to_str().expect("UTF-8 path")]);
    assert_check_ok(&env);
    let kept = dues(&env);
    let out = env.ok(&["config", "set", "scheduler", "fsrs"]);
    assert!(
        out.starts_with("scheduler = fsrs (1205 cards replayed"),
        "{out}"
    );
    assert_check_ok(&env);
    assert_eq!(dues(&env), kept);
    assert!(
        memories(&env)
            .iter()
            .all(|(s, d)| s.is_some() && d.is_some())
    );
    let out = env.ok(&[
        "config",
        "set",
        "scheduler",
        "fsrs",
        "--reschedule",
        "--yes",
    ]);
    let moved = number_after(&out, "moves the due dates of ");
    let written: i64 = env.sql("SELECT count(*) FROM reviews WHERE kind = 'reschedule'");
    assert_eq!(written as u64, moved, "{out}");
    assert_check_ok(&env);
    let out = env.run_with_input(
        &["review", "--limit", "5"],
        "\ng\n\ng\n\na\n\ne\n\nh\n:quit\n",
    );
    assert!(out.status.success(), "{}", common::text(&out).1);
    let answered: i64 =
        env.sql("SELECT count(*) FROM reviews WHERE scheduler = 'fsrs' AND kind = 'schedule'");
    assert_eq!(answered, 5);
    assert_check_ok(&env);
    env.ok(&["config", "set", "scheduler", "anki"]);
    assert_check_ok(&env);
    env.ok(&["config", "set", "scheduler", "sm2"]);
    assert_check_ok(&env);
}

#[test]
fn unsetting_the_scheduler_switches_back_to_sm2_the_same_way() {
    let env = with_history();
    let sm2 = states(&env);
    env.ok(&["config", "set", "scheduler", "fsrs"]);
    let out = env.ok(&["config", "unset", "scheduler"]);
    assert_eq!(
        out,
        "scheduler = sm2 (6 cards replayed from their logs, 6 changed, due dates kept)\n"
    );
    assert_check_ok(&env);
    assert_eq!(states(&env), sm2);
    assert_eq!(env.ok(&["config", "get", "scheduler"]), "sm2\n");
}

#[test]
fn a_card_whose_log_cannot_be_replayed_stops_the_switch_and_nothing_changes() {
    let env = with_history();
    let conn = rusqlite::Connection::open(&env.db).expect("open db");
    let (card, review): (i64, i64) = conn
        .query_row(
            "SELECT card_id, max(id) FROM reviews WHERE card_id = (SELECT max(card_id) FROM reviews)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a review");
    conn.execute(
        "UPDATE reviews SET scheduler = 'bogus' WHERE id = ?1",
        [review],
    )
    .expect("tamper");
    drop(conn);
    let before = env.fingerprint();
    let err = env.fails(&["config", "set", "scheduler", "fsrs"], 1);
    assert_eq!(
        err,
        format!(
            "jargon: card {card}: review {review} was made with a scheduler this build does not know, so the card cannot be switched (see `jargon check`); nothing was changed\n"
        )
    );
    assert_eq!(env.fingerprint(), before);
    assert_eq!(env.ok(&["config", "get", "scheduler"]), "sm2\n");
}

#[test]
fn a_large_switch_on_a_terminal_draws_its_bar_on_standard_error_and_clears_it() {
    const CARDS: u64 = 20_000;
    let env = Env::new();
    let mut csv = String::from("card_id,review_time,review_rating,review_duration\n");
    for card in 0..CARDS {
        csv.push_str(&format!(
            "{card},2026-09-{:02}T10:00:00+00:00,{},4000\n",
            1 + card % 28,
            1 + card % 4
        ));
    }
    let log = env.write("big.csv", csv);
    env.ok(&["import", "--revlog", log.to_str().expect("UTF-8 path")]);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jargon"));
    cmd.args(["config", "set", "scheduler", "fsrs"])
        .env("JARGON_DB", &env.db)
        .env("JARGON_NOW", &env.now)
        .env("TZ", "UTC")
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let mut session = Session::spawn(cmd).expect("spawn in a pty");
    session
        .get_process_mut()
        .set_window_size(80, 24)
        .expect("window size");
    session.set_expect_timeout(Some(Duration::from_secs(120)));
    let all = session.expect(expectrl::Eof).expect("the process ends");
    let output = String::from_utf8_lossy(all.as_bytes()).into_owned();
    let status = session.get_process().wait().expect("wait");
    assert!(
        matches!(status, WaitStatus::Exited(_, 0)),
        "{status:?}\n{output}"
    );
    let segments: Vec<&str> = output.split("\x1b[2K").collect();
    let frames: Vec<(u64, u64)> = segments[..segments.len() - 1]
        .iter()
        .map(|frame| {
            let line = frame.trim_end_matches('\r');
            assert!(line.starts_with("switching "), "{line:?}");
            let counts = line
                .split_whitespace()
                .find(|w| w.contains('/'))
                .unwrap_or_else(|| panic!("no POS/LEN in {line:?}"));
            let (pos, len) = counts.split_once('/').expect("POS/LEN");
            (pos.parse().expect("pos"), len.parse().expect("len"))
        })
        .collect();
    assert!(!frames.is_empty(), "no bar was drawn: {output:?}");
    assert!(
        frames.iter().all(|&(pos, len)| len == CARDS && pos <= len),
        "{frames:?}"
    );
    assert!(frames.windows(2).all(|w| w[0].0 <= w[1].0), "{frames:?}");
    assert_eq!(
        segments[segments.len() - 1],
        format!(
            "scheduler = fsrs ({CARDS} cards replayed from their logs, {CARDS} changed, due dates kept)\r\n"
        )
    );
}

//! `jargon sync` through the real binary: three collections and one shared folder, offline
//! sessions on each (some on the same cards the same day), the same note edited on two
//! devices, syncs in different orders, a half-copied segment lying in the folder. Afterwards
//! every collection holds every answer exactly once, the same card states and notes (equal
//! fingerprints), and `check` passes.

use crate::common::sync::{DECK, device, fingerprint, gids, review, review_deck, sync};
use crate::common::text;

#[test]
fn three_devices_that_synced_in_different_orders_hold_the_same_collection() {
    let shared = tempfile::tempdir().unwrap();
    let dir = shared.path();
    let mut a = device("2026-12-01T08:00:00Z");
    let mut b = device("2026-12-01T08:00:00Z");
    let mut c = device("2026-12-01T08:00:00Z");
    for env in [&a, &b, &c] {
        let out = sync(env, Some(dir));
        assert!(out.contains("This collection is device"), "{out}");
    }
    // Offline: A and B study the same new cards the same morning, C later.
    review(&mut a, "2026-12-02T09:00:00Z", "\ng\n\ng\n\na\n\ng\n", "3");
    review(&mut b, "2026-12-02T09:20:00Z", "\ne\n\ng\n", "2");
    review(&mut c, "2026-12-02T18:00:00Z", "\ng\n\nh\n\ng\n\ng\n", "4");
    // The same note edited on A and on B: B's edit is the later one.
    a.now = "2026-12-02T10:00:00Z".into();
    b.now = "2026-12-02T11:00:00Z".into();
    let note = format!("{DECK}/airflow");
    a.ok(&["edit", &note, "--definition", "edited on A"]);
    b.ok(&["edit", &note, "--definition", "edited on B"]);
    // A segment half copied by a sync tool: no newline at its end.
    let half = dir.join("0123456789abcdef0123456789abcdef");
    std::fs::create_dir(&half).unwrap();
    std::fs::write(half.join("00000001.jsonl"), b"{\"v\":1,\"device\":\"0123").unwrap();
    // And a damaged one: a whole line that is not an event.
    let damaged = dir.join("89abcdef0123456789abcdef01234567");
    std::fs::create_dir(&damaged).unwrap();
    std::fs::write(damaged.join("00000001.jsonl"), b"not an event\n").unwrap();

    // Syncs in an order where each device sees the others at different times.
    for env in [&c, &a, &b, &c, &b, &a] {
        let out = sync(env, None);
        assert!(
            out.contains("00000001.jsonl:1:2: the line does not parse")
                && out.contains("skipped until it reads cleanly"),
            "{out}"
        );
    }
    let fingerprints: Vec<String> = [&a, &b, &c].iter().map(|e| fingerprint(e)).collect();
    assert_eq!(fingerprints[0], fingerprints[1]);
    assert_eq!(fingerprints[0], fingerprints[2]);
    // Every answer exactly once, everywhere.
    let all = gids(&a);
    assert_eq!(all, gids(&b));
    assert_eq!(all, gids(&c));
    let mut unique = all.clone();
    unique.dedup();
    assert_eq!(unique.len(), all.len(), "an answer counted twice");
    let made: i64 = [&a, &b, &c]
        .iter()
        .map(|e| e.sql::<i64>("SELECT count(*) FROM reviews WHERE gid LIKE (SELECT device FROM sync_state) || '-%'"))
        .sum();
    assert_eq!(
        all.len() as i64,
        made,
        "every device's own answers, and only those"
    );
    // The later edit won everywhere; the earlier one is kept in the note's history.
    for env in [&a, &b, &c] {
        let definition: String = env.sql("SELECT definition FROM notes WHERE key = 'airflow'");
        assert_eq!(definition, "edited on B");
        let out = env.ok(&["check"]);
        assert!(out.starts_with("ok:"), "{out}");
    }
    let kept: i64 = a.sql("SELECT count(*) FROM note_history WHERE value = 'edited on A'");
    assert_eq!(kept, 1);
    // The next days: answers later than every answer the cards had (the merge goes on from
    // each card's last state rather than replaying it whole); `check` replays whole.
    for (day, env) in [("03", &mut a), ("04", &mut b)] {
        review(
            env,
            &format!("2026-12-{day}T09:00:00Z"),
            &"\ng\n".repeat(6),
            "6",
        );
        sync(env, None);
    }
    for env in [&a, &b, &c, &a] {
        sync(env, None);
    }
    let later: i64 = a.sql("SELECT count(*) FROM reviews WHERE day > 20789");
    assert!(later > 0, "no answer on the later days");
    let fingerprints: Vec<String> = [&a, &b, &c].iter().map(|e| fingerprint(e)).collect();
    assert_eq!(fingerprints[0], fingerprints[1]);
    assert_eq!(fingerprints[0], fingerprints[2]);
    for env in [&a, &b, &c] {
        let out = env.ok(&["check"]);
        assert!(out.starts_with("ok:"), "{out}");
    }
    // Nothing more to send or read: a sync now changes nothing.
    let again = sync(&a, None);
    assert!(
        again.starts_with("Sent 0 events; received 0 events"),
        "{again}"
    );
    assert_eq!(fingerprint(&a), fingerprints[0]);
}

#[test]
fn a_first_sync_names_the_folder_and_a_later_one_remembers_it() {
    let env = device("2026-12-01T08:00:00Z");
    let err = env.fails(&["sync"], 2);
    assert!(err.contains("never synced"), "{err}");
    let missing = env.path("nowhere");
    let err = env.fails(&["sync", missing.to_str().unwrap()], 2);
    assert!(err.contains("does not exist"), "{err}");
    let shared = tempfile::tempdir().unwrap();
    sync(&env, Some(shared.path()));
    let status = env.ok(&["sync", "--status"]);
    assert!(
        status.contains(&format!("Folder: {}", shared.path().display())),
        "{status}"
    );
}

#[test]
fn sync_on_review_brings_the_other_devices_answers_before_the_session() {
    let shared = tempfile::tempdir().unwrap();
    let mut a = device("2026-12-01T08:00:00Z");
    let b = device("2026-12-01T08:00:00Z");
    sync(&a, Some(shared.path()));
    sync(&b, Some(shared.path()));
    review(&mut a, "2026-12-02T09:00:00Z", "\ng\n\ng\n", "2");
    sync(&a, None);
    b.ok(&["config", "set", "sync_on_review", "true"]);
    let out = b.run_with_input(&["review", "--deck", DECK, "--limit", "1"], "");
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("Synced: 0 sent, 2 received (2 new answers)."),
        "{stderr}"
    );
    assert_eq!(b.sql::<i64>("SELECT count(*) FROM reviews"), 2);
    let status = b.ok(&[]);
    assert!(
        status.contains("Last sync: 2026-12-01 08:00 UTC; nothing waiting."),
        "{status}"
    );
}

#[test]
fn a_note_deleted_on_one_device_while_answered_on_another_is_gone_everywhere_with_its_answers_kept()
{
    let shared = tempfile::tempdir().unwrap();
    let dir = shared.path();
    let a = device("2026-12-01T08:00:00Z");
    let mut b = device("2026-12-01T08:00:00Z");
    sync(&a, Some(dir));
    sync(&b, Some(dir));
    // B answers a card (and its redrill) offline; A deletes that card's note meanwhile.
    review(&mut b, "2026-12-02T09:00:00Z", "\na\n\ng\n", "1");
    let key: String =
        b.sql("SELECT n.key FROM reviews r JOIN notes n ON n.id = r.card_id / 64 LIMIT 1");
    let note = format!("{DECK}/{key}");
    let mut a = a;
    a.now = "2026-12-02T10:00:00Z".into();
    a.ok(&["delete", &note, "--yes"]);
    for env in [&a, &b, &a] {
        sync(env, None);
    }
    let answered: i64 = b.sql("SELECT count(*) FROM deleted_answers");
    assert!(answered >= 1, "B's answers were lost");
    for env in [&a, &b] {
        let left: i64 = env.sql(&format!("SELECT count(*) FROM notes WHERE key = '{key}'"));
        assert_eq!(left, 0, "the note came back");
        assert_eq!(env.sql::<i64>("SELECT count(*) FROM reviews"), 0);
        assert_eq!(
            env.sql::<i64>("SELECT count(*) FROM deleted_answers"),
            answered
        );
        assert!(env.ok(&["check"]).starts_with("ok:"));
    }
    assert_eq!(fingerprint(&a), fingerprint(&b));
}

#[test]
fn a_built_in_note_deleted_before_the_first_sync_stays_deleted_on_every_device() {
    let shared = tempfile::tempdir().unwrap();
    let dir = shared.path();
    let mut a = device("2026-12-01T08:00:00Z");
    let b = device("2026-12-01T08:00:00Z");
    // A deletes a built-in note before it ever synced; B has the same note.
    a.ok(&["decks"]);
    let key: String = a.sql(&format!(
        "SELECT n.key FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = '{DECK}' ORDER BY n.key LIMIT 1"
    ));
    let note = format!("{DECK}/{key}");
    a.ok(&["delete", &note, "--yes"]);
    a.now = "2026-12-01T09:00:00Z".into();
    sync(&a, Some(dir));
    sync(&b, Some(dir));
    for env in [&a, &b, &a] {
        sync(env, None);
    }
    for env in [&a, &b] {
        let left: i64 = env.sql(&format!(
            "SELECT count(*) FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = '{DECK}' AND n.key = '{key}'"
        ));
        assert_eq!(left, 0, "the deleted note came back");
        assert!(env.ok(&["check"]).starts_with("ok:"));
    }
    assert_eq!(fingerprint(&a), fingerprint(&b));
}

#[test]
fn two_devices_editing_different_fields_of_one_anki_note_both_keep_their_edit() {
    let shared = tempfile::tempdir().unwrap();
    let dir = shared.path();
    let mut a = device("2026-12-01T08:00:00Z");
    let mut b = device("2026-12-01T08:00:00Z");
    let package = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/anki-rich.apkg");
    a.ok(&["import", package]);
    sync(&a, Some(dir));
    sync(&b, Some(dir));
    // Offline, A changes the front and B, later, the back of the same note.
    a.now = "2026-12-02T09:00:00Z".into();
    a.ok(&[
        "edit",
        "Rich/gradient-descent",
        "--field",
        "Front=<b>Gradient descent</b> (GD)",
    ]);
    b.now = "2026-12-02T10:00:00Z".into();
    b.ok(&[
        "edit",
        "Rich/gradient-descent",
        "--field",
        "Back=Step downhill",
    ]);
    for env in [&a, &b, &a] {
        sync(env, None);
    }
    let query = "SELECT n.fields FROM notes n JOIN decks d ON d.id = n.deck_id
                 WHERE d.name = 'Rich' AND n.key = 'gradient-descent'";
    for env in [&a, &b] {
        let fields: String = env.sql(query);
        assert_eq!(
            fields, r#"["<b>Gradient descent</b> (GD)","Step downhill"]"#,
            "both edits are kept"
        );
        assert!(env.ok(&["check"]).starts_with("ok:"));
    }
    assert_eq!(fingerprint(&a), fingerprint(&b));
}

#[test]
fn a_note_deleted_then_a_new_one_given_its_id_both_reach_the_other_device() {
    let shared = tempfile::tempdir().unwrap();
    let dir = shared.path();
    let a = device("2026-12-01T08:00:00Z");
    let b = device("2026-12-01T08:00:00Z");
    a.ok(&[
        "add",
        "--deck",
        "Mine",
        "--term",
        "first",
        "--definition",
        "one",
    ]);
    sync(&a, Some(dir));
    sync(&b, Some(dir));
    // The newest note deleted and another added: SQLite gives the new note the same id.
    let id: i64 = a.sql("SELECT id FROM notes WHERE key = 'first'");
    a.ok(&["delete", "Mine/first", "--yes"]);
    a.ok(&[
        "add",
        "--deck",
        "Mine",
        "--term",
        "second",
        "--definition",
        "two",
    ]);
    assert_eq!(
        a.sql::<i64>("SELECT id FROM notes WHERE key = 'second'"),
        id
    );
    sync(&a, None);
    sync(&b, None);
    let keys: String = b.sql("SELECT group_concat(key) FROM notes WHERE deck_id = (SELECT id FROM decks WHERE name = 'Mine')");
    assert_eq!(keys, "second");
    assert_eq!(fingerprint(&a), fingerprint(&b));
}

#[test]
fn a_copied_collection_is_told_it_shares_a_device_id_and_a_new_one_fixes_it() {
    let shared = tempfile::tempdir().unwrap();
    let dir = shared.path();
    let mut a = device("2026-12-01T08:00:00Z");
    sync(&a, Some(dir));
    let mut copy = copy_of(&a, "2026-12-01T08:00:00Z");
    review(&mut a, "2026-12-02T09:00:00Z", "\ng\n", "1");
    review(&mut copy, "2026-12-02T09:10:00Z", "\ne\n", "1");
    sync(&a, None);
    let err = copy.fails(&["sync"], 1);
    assert!(
        err.contains("another collection copied from the same file"),
        "{err}"
    );
    assert!(err.contains("jargon sync --new-device"), "{err}");
    let out = copy.ok(&["sync", "--new-device"]);
    assert!(out.contains("received"), "{out}");
    sync(&a, None);
    assert_eq!(fingerprint(&a), fingerprint(&copy));
    assert_eq!(a.sql::<i64>("SELECT count(*) FROM reviews"), 2);
    // Moving to another folder is refused: the events are in the first one.
    let other = tempfile::tempdir().unwrap();
    let err = a.fails(&["sync", other.path().to_str().unwrap()], 2);
    assert!(err.contains("this collection syncs through"), "{err}");
}

/// A second collection made by copying `env`'s file, device id and all (as a learner who
/// copies their collection to a new machine does), its clock at `now`.
fn copy_of(env: &crate::common::Env, now: &str) -> crate::common::Env {
    let copy = device(now);
    std::fs::copy(&env.db, &copy.db).unwrap();
    copy
}

/// A sync that stopped after queueing its events and before writing them (killed, or the
/// folder unreachable): the state the next sync starts from.
fn stop_after_queueing(env: &crate::common::Env, now_ms: i64) {
    let device: String = env.sql("SELECT device FROM sync_state");
    let device = jargon::sync::device::DeviceId::parse(&device).unwrap();
    let next: i64 = env.sql("SELECT next_seq FROM sync_state");
    let mut collection = jargon::store::Collection::open(&env.db).unwrap();
    let queued =
        jargon::merge::publish::publish(&mut collection, &device, next as u64, now_ms).unwrap();
    assert!(queued > 0, "nothing was queued");
    assert!(env.sql::<i64>("SELECT count(*) FROM sync_outbox") > 0);
}

/// Each answer's global id, once per answer, on every device.
fn answered_once(envs: &[&crate::common::Env], answers: i64) {
    for env in envs {
        assert_eq!(env.sql::<i64>("SELECT count(*) FROM reviews"), answers);
        assert_eq!(
            env.sql::<i64>("SELECT count(DISTINCT gid) FROM reviews"),
            answers
        );
        assert!(env.ok(&["check"]).starts_with("ok:"));
    }
    for env in &envs[1..] {
        assert_eq!(fingerprint(env), fingerprint(envs[0]));
    }
}

#[test]
fn a_copy_that_wrote_first_under_the_numbers_a_stopped_sync_queued_is_told_and_the_answer_kept() {
    let shared = tempfile::tempdir().unwrap();
    let dir = shared.path();
    let mut a = device("2026-12-01T08:00:00Z");
    sync(&a, Some(dir));
    let mut copy = copy_of(&a, "2026-12-01T08:00:00Z");
    // The copy writes its answer first; the original queues its own under the same number.
    review(&mut copy, "2026-12-02T09:10:00Z", "\ne\n", "1");
    sync(&copy, None);
    review(&mut a, "2026-12-02T09:00:00Z", "\ng\n", "1");
    // With a note added, one edited, one suspended and a setting changed.
    a.now = "2026-12-02T09:05:00Z".into();
    a.ok(&[
        "add",
        "--deck",
        "Mine",
        "--term",
        "queued",
        "--definition",
        "kept",
    ]);
    a.ok(&[
        "edit",
        &format!("{DECK}/airflow"),
        "--definition",
        "edited on A",
    ]);
    a.ok(&["suspend", &format!("{DECK}/etl")]);
    a.ok(&["config", "set", "leech_lapses", "5"]);
    stop_after_queueing(&a, 1_764_666_400_000);
    let err = a.fails(&["sync"], 1);
    assert!(
        err.contains("another collection copied from the same file"),
        "{err}"
    );
    // The new id publishes the answer the folder never held.
    let out = a.ok(&["sync", "--new-device"]);
    assert!(out.contains("received"), "{out}");
    sync(&copy, None);
    let third = device("2026-12-03T08:00:00Z");
    sync(&third, Some(dir));
    answered_once(&[&a, &copy, &third], 2);
    for env in [&copy, &third] {
        assert_eq!(
            env.sql::<String>("SELECT definition FROM notes WHERE key = 'queued'"),
            "kept"
        );
        assert_eq!(
            env.sql::<String>("SELECT definition FROM notes WHERE key = 'airflow'"),
            "edited on A"
        );
        assert_eq!(
            env.sql::<i64>("SELECT count(*) FROM card_states WHERE suspended = 1"),
            2
        );
        assert_eq!(
            env.sql::<String>("SELECT value FROM config WHERE key = 'leech_lapses'"),
            "5"
        );
    }
}

#[test]
fn answers_a_copy_already_wrote_for_a_stopped_sync_are_not_published_twice_by_a_new_id() {
    let shared = tempfile::tempdir().unwrap();
    let dir = shared.path();
    let mut a = device("2026-12-01T08:00:00Z");
    sync(&a, Some(dir));
    review(&mut a, "2026-12-02T09:00:00Z", "\ng\n", "1");
    stop_after_queueing(&a, 1_764_666_100_000);
    // The copy carries the queue, writes it, then an answer of its own.
    let mut copy = copy_of(&a, "2026-12-01T08:00:00Z");
    sync(&copy, None);
    review(&mut copy, "2026-12-03T09:10:00Z", "\ne\n", "1");
    sync(&copy, None);
    let err = a.fails(&["sync"], 1);
    assert!(err.contains("jargon sync --new-device"), "{err}");
    a.ok(&["sync", "--new-device"]);
    sync(&copy, None);
    let third = device("2026-12-04T08:00:00Z");
    sync(&third, Some(dir));
    answered_once(&[&a, &copy, &third], 2);
}

#[test]
fn a_device_that_joins_later_does_not_undo_an_edit_to_a_built_in_note() {
    let shared = tempfile::tempdir().unwrap();
    let dir = shared.path();
    let mut a = device("2026-12-01T08:00:00Z");
    sync(&a, Some(dir));
    a.now = "2026-12-02T10:00:00Z".into();
    a.ok(&[
        "edit",
        &format!("{DECK}/airflow"),
        "--definition",
        "edited on A",
    ]);
    sync(&a, None);
    // Made after the edit: its built-in copy of the note is the deck's, not a later write.
    let b = device("2026-12-05T08:00:00Z");
    sync(&b, Some(dir));
    // B's untouched copy loses to the edit: said as such, not as an edit on two devices.
    let out = sync(&a, None);
    assert!(
        out.contains("1 field value lost to a later write and is kept in the note's history."),
        "{out}"
    );
    for env in [&a, &b] {
        assert_eq!(
            env.sql::<String>("SELECT definition FROM notes WHERE key = 'airflow'"),
            "edited on A"
        );
    }
    assert_eq!(fingerprint(&a), fingerprint(&b));
}

#[test]
fn a_device_joining_later_with_its_own_copy_of_an_imported_note_does_not_change_its_seed() {
    let files = tempfile::tempdir().unwrap();
    let deck = files.path().join("mine.toml");
    std::fs::write(
        &deck,
        "name = \"Mine\"\n\n[[note]]\nterm = \"shared\"\ndefinition = \"from the file\"\n",
    )
    .unwrap();
    let deck = deck.to_str().unwrap();
    // A's id in the upper half, so a later id sorts first at least half the time.
    let (shared, mut a) = (0..40)
        .find_map(|_| {
            let shared = tempfile::tempdir().unwrap();
            let a = device("2026-12-01T08:00:00Z");
            a.ok(&["import", deck]);
            sync(&a, Some(shared.path()));
            (a.sql::<String>("SELECT device FROM sync_state").as_str() >= "8")
                .then_some((shared, a))
        })
        .expect("a device id in the upper half in 40 tries");
    let dir = shared.path();
    let seed: i64 = a.sql("SELECT coalesce(seed, id) FROM notes WHERE key = 'shared'");
    review_deck(&mut a, "Mine", "2026-12-02T09:00:00Z", "\ng\n", "1");
    sync(&a, None);
    let states = || {
        a.sql::<String>(
            "SELECT group_concat(json_array(id, due_day, interval_days)) FROM card_states",
        )
    };
    let before = states();
    let a_id: String = a.sql("SELECT device FROM sync_state");
    // A later machine whose id sorts first, with the file imported after a note of its own
    // (so its copy has another local id, and another seed).
    for _ in 0..40 {
        let b = device("2026-12-05T08:00:00Z");
        b.ok(&[
            "add",
            "--deck",
            "Other",
            "--term",
            "first",
            "--definition",
            "x",
        ]);
        b.ok(&["import", deck]);
        assert_ne!(
            b.sql::<i64>("SELECT coalesce(seed, id) FROM notes WHERE key = 'shared'"),
            seed
        );
        sync(&b, Some(dir));
        if b.sql::<String>("SELECT device FROM sync_state") > a_id {
            continue;
        }
        sync(&a, None);
        assert_eq!(
            a.sql::<i64>("SELECT coalesce(seed, id) FROM notes WHERE key = 'shared'"),
            seed
        );
        assert_eq!(states(), before);
        assert_eq!(fingerprint(&a), fingerprint(&b));
        return;
    }
    panic!("no device id sorted before A's in 40 tries");
}

#[test]
fn machines_on_different_schedulers_each_pass_check_and_print_one_fingerprint() {
    let shared = tempfile::tempdir().unwrap();
    let dir = shared.path();
    let mut a = device("2026-12-01T08:00:00Z");
    a.ok(&["config", "set", "scheduler", "fsrs"]);
    sync(&a, Some(dir));
    let mut b = device("2026-12-01T08:00:00Z");
    sync(&b, Some(dir));
    // The same cards answered on both, each under its own scheduler, synced both ways.
    review(&mut a, "2026-12-02T09:00:00Z", "\ng\n\ne\n", "2");
    review(&mut b, "2026-12-02T09:30:00Z", "\ng\n", "1");
    sync(&a, None);
    sync(&b, None);
    sync(&a, None);
    review(&mut b, "2026-12-04T09:30:00Z", "\ng\n\ng\n", "2");
    review(&mut a, "2026-12-04T09:00:00Z", "\ng\n\nh\n", "2");
    sync(&b, None);
    sync(&a, None);
    sync(&b, None);
    for env in [&a, &b] {
        let out = env.ok(&["check"]);
        assert!(out.starts_with("ok:"), "{out}");
    }
    assert_eq!(a.sql::<i64>("SELECT count(*) FROM reviews"), 7);
    assert_eq!(fingerprint(&a), fingerprint(&b));
    // Each machine keeps its cards under its own scheduler.
    assert!(a.sql::<i64>("SELECT count(*) FROM card_states WHERE stability IS NOT NULL") > 0);
    assert_eq!(
        b.sql::<i64>("SELECT count(*) FROM card_states WHERE stability IS NOT NULL"),
        0
    );
}

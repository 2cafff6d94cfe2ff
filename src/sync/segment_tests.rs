//! Tests of segment writing and reading, on temporary folders.

use super::*;
use crate::sync::event::{Answer, AnswerKind, Body, CardRef, answer_id};

fn device(fill: char) -> DeviceId {
    DeviceId::parse(&fill.to_string().repeat(32)).unwrap()
}

fn answers(device: &DeviceId, from_seq: u64, count: u64) -> Vec<Event> {
    (from_seq..from_seq + count)
        .map(|seq| {
            let at_ms = 1_733_000_000_000 + seq as i64 * 1000;
            Event::new(
                device.clone(),
                seq,
                at_ms,
                Body::Answer(Answer {
                    id: answer_id(device, seq),
                    card: CardRef {
                        note: format!("deck/note-{}", seq % 97),
                        ord: 0,
                    },
                    reviewed_at_ms: at_ms,
                    day: 20_058,
                    rating: 3,
                    duration_ms: 3_000,
                    kind: AnswerKind::Schedule,
                    scheduler: "sm2".into(),
                    settings: serde_json::Value::Null,
                }),
            )
        })
        .collect()
}

fn small() -> Thresholds {
    Thresholds {
        bytes: 1 << 20,
        events: 3,
    }
}

/// A folder with `device`'s folder made, as `claim` would.
fn folder_for(dir: &Path, device: &DeviceId) {
    fs::create_dir_all(dir.join(device.as_str())).unwrap();
}

fn write(dir: &Path, device: &DeviceId, count: u64, thresholds: Thresholds) -> Writer {
    folder_for(dir, device);
    let (mut writer, _) = Writer::open(dir, device, thresholds).unwrap();
    let from = writer.next_seq();
    writer.append(&answers(device, from, count)).unwrap();
    writer
}

fn seqs(batch: &Batch) -> Vec<u64> {
    batch.events.iter().map(|e| e.seq).collect()
}

fn segment_path(dir: &Path, device: &DeviceId, number: u32) -> PathBuf {
    dir.join(device.as_str()).join(segment_name(number))
}

#[test]
fn segment_names_are_eight_digits_from_one() {
    assert_eq!(segment_name(7), "00000007.jsonl");
    assert_eq!(segment_number("00000007.jsonl"), Some(7));
    for name in [
        "00000000.jsonl",
        "7.jsonl",
        "00000007.jsonl~",
        ".syncthing.00000007.jsonl.tmp",
        "00000007 (conflicted copy).jsonl",
        "+0000007.jsonl",
    ] {
        assert_eq!(segment_number(name), None, "{name}");
    }
}

#[test]
fn appends_close_at_the_threshold_and_reopen_where_they_left_off() {
    let dir = tempfile::tempdir().unwrap();
    let a = device('a');
    let writer = write(dir.path(), &a, 5, small());
    assert_eq!(writer.next_seq(), 6);
    assert_eq!(writer.segment(), 2);
    let first = fs::read_to_string(segment_path(dir.path(), &a, 1)).unwrap();
    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines.len(), 4);
    let hash = crate::sync::sha256::hex_of(&first.as_bytes()[..first.len() - lines[3].len() - 1]);
    assert_eq!(
        lines[3],
        format!(r#"{{"close":{{"events":3,"sha256":"{hash}"}}}}"#)
    );
    drop(writer);

    let (mut writer, opened) = Writer::open(dir.path(), &a, small()).unwrap();
    assert_eq!(opened, Opened::default());
    assert_eq!((writer.segment(), writer.next_seq()), (2, 6));
    writer.append(&answers(&a, 6, 1)).unwrap();
    writer.close().unwrap();
    writer.close().unwrap(); // closing twice writes nothing more
    drop(writer);
    let second = fs::read_to_string(segment_path(dir.path(), &a, 2)).unwrap();
    assert_eq!(second.lines().count(), 4);
    assert!(second.lines().last().unwrap().contains(r#""events":3"#));

    let (writer, _) = Writer::open(dir.path(), &a, small()).unwrap();
    assert_eq!((writer.segment(), writer.next_seq()), (3, 7));

    let batch = read_device(dir.path(), &a, &Cursor::default(), u64::MAX).unwrap();
    assert_eq!(seqs(&batch), vec![1, 2, 3, 4, 5, 6]);
    assert!(batch.problems.is_empty(), "{:?}", batch.problems);
    assert_eq!(
        batch.cursor,
        Cursor {
            segment: 3,
            offset: 0,
            pending: BTreeMap::new()
        }
    );
}

#[test]
fn a_batch_with_a_wrong_sequence_or_device_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = device('a');
    let mut writer = write(dir.path(), &a, 2, small());
    let mut batch = answers(&a, 3, 2);
    batch.extend(answers(&a, 9, 1));
    let error = writer.append(&batch).unwrap_err().to_string();
    assert!(error.contains("event 3 of the batch"), "{error}");
    assert!(writer.append(&answers(&device('b'), 3, 1)).is_err());
    let text = fs::read_to_string(segment_path(dir.path(), &a, 1)).unwrap();
    assert_eq!(text.lines().count(), 2);
    writer.append(&answers(&a, 3, 1)).unwrap();
}

#[test]
fn a_torn_last_line_is_cut_off_our_own_segment_and_left_alone_in_anothers() {
    let dir = tempfile::tempdir().unwrap();
    let a = device('a');
    drop(write(dir.path(), &a, 2, small()));
    let path = segment_path(dir.path(), &a, 1);
    let torn = br#"{"v":1,"device":"aaaaaaaa"#;
    let mut file = OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(torn).unwrap();
    drop(file);
    let before = fs::read(&path).unwrap();

    // Another device reads: two events, the torn line waits, the file is untouched.
    let batch = read_device(dir.path(), &a, &Cursor::default(), u64::MAX).unwrap();
    assert_eq!(seqs(&batch), vec![1, 2]);
    assert_eq!(batch.waiting_bytes, torn.len() as u64);
    assert!(batch.problems.is_empty());
    assert_eq!(batch.cursor.offset as usize, before.len() - torn.len());
    assert_eq!(fs::read(&path).unwrap(), before);
    // Reading again from there finds nothing new, still waiting.
    let again = read_device(dir.path(), &a, &batch.cursor, u64::MAX).unwrap();
    assert!(again.events.is_empty());
    assert_eq!(again.cursor, batch.cursor);

    // The owner reopens: the torn bytes are cut off, and appending carries on.
    let (mut writer, opened) = Writer::open(dir.path(), &a, small()).unwrap();
    assert_eq!(opened.repaired_bytes, torn.len() as u64);
    assert_eq!(writer.next_seq(), 3);
    writer.append(&answers(&a, 3, 1)).unwrap();
    let after = read_device(dir.path(), &a, &batch.cursor, u64::MAX).unwrap();
    assert_eq!(seqs(&after), vec![3]);
    assert!(after.problems.is_empty(), "{:?}", after.problems);
    // It closed at three events, with a checksum that a reader accepts from scratch.
    let whole = read_device(dir.path(), &a, &Cursor::default(), u64::MAX).unwrap();
    assert_eq!(seqs(&whole), vec![1, 2, 3]);
    assert_eq!(whole.cursor.segment, 2);
}

#[test]
fn a_half_copied_close_line_waits_and_the_segment_closes_later() {
    let dir = tempfile::tempdir().unwrap();
    let a = device('a');
    drop(write(dir.path(), &a, 3, small()));
    let path = segment_path(dir.path(), &a, 1);
    let whole = fs::read(&path).unwrap();
    fs::write(&path, &whole[..whole.len() - 10]).unwrap();
    let batch = read_device(dir.path(), &a, &Cursor::default(), u64::MAX).unwrap();
    assert_eq!(seqs(&batch), vec![1, 2, 3]);
    assert_eq!(batch.cursor.segment, 1);
    fs::write(&path, &whole).unwrap();
    let next = read_device(dir.path(), &a, &batch.cursor, u64::MAX).unwrap();
    assert!(next.events.is_empty());
    assert!(next.problems.is_empty());
    assert_eq!(next.cursor.segment, 2);
}

#[test]
fn a_checksum_mismatch_is_reported_and_skipped_while_the_rest_still_reads() {
    let dir = tempfile::tempdir().unwrap();
    let a = device('a');
    let b = device('b');
    drop(write(dir.path(), &a, 5, small()));
    drop(write(dir.path(), &b, 4, small()));
    // One byte changed in a closed segment of A; the line still parses.
    let path = segment_path(dir.path(), &a, 1);
    let good = fs::read(&path).unwrap();
    let text = String::from_utf8(good.clone()).unwrap();
    let bad = text.replacen(r#""rating":3"#, r#""rating":4"#, 1);
    fs::write(&path, &bad).unwrap();

    let batch = read_device(dir.path(), &a, &Cursor::default(), u64::MAX).unwrap();
    assert_eq!(seqs(&batch), vec![4, 5], "segment 2 still reads");
    assert_eq!(batch.problems.len(), 1);
    let problem = &batch.problems[0];
    assert_eq!(problem.path, path);
    assert_eq!(problem.line, Some(4));
    let message = problem.to_string();
    assert!(message.contains("checksum"), "{message}");
    assert!(message.contains("00000001.jsonl:4"), "{message}");
    assert_eq!(batch.cursor.pending.get(&1), Some(&0));
    assert_eq!(batch.cursor.segment, 2);

    // The other device is not stopped.
    let theirs = read_device(dir.path(), &b, &Cursor::default(), u64::MAX).unwrap();
    assert_eq!(seqs(&theirs), vec![1, 2, 3, 4]);

    // Once the sync tool delivers the right bytes, the skipped segment is read, once.
    fs::write(&path, &good).unwrap();
    let healed = read_device(dir.path(), &a, &batch.cursor, u64::MAX).unwrap();
    assert_eq!(seqs(&healed), vec![1, 2, 3]);
    assert!(healed.cursor.pending.is_empty());
    let done = read_device(dir.path(), &a, &healed.cursor, u64::MAX).unwrap();
    assert!(done.events.is_empty());
}

#[test]
fn a_line_that_does_not_parse_is_located_and_its_segment_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let a = device('a');
    drop(write(dir.path(), &a, 2, small()));
    let path = segment_path(dir.path(), &a, 1);
    let mut file = OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(b"{\"v\":1,\"device\":nope}\n").unwrap();
    drop(file);
    let batch = read_device(dir.path(), &a, &Cursor::default(), u64::MAX).unwrap();
    assert!(
        batch.events.is_empty(),
        "nothing of a damaged segment is used"
    );
    let problem = &batch.problems[0];
    assert_eq!((problem.line, problem.column), (Some(3), Some(18)));
    assert_eq!(batch.cursor.segment, 1);
    assert_eq!(batch.cursor.offset, 0);

    // The owner does not write after a bad line: it starts a new segment, with new numbers.
    let (mut writer, opened) = Writer::open(dir.path(), &a, small()).unwrap();
    assert!(opened.abandoned.is_some());
    assert_eq!((writer.segment(), writer.next_seq()), (2, 3));
    writer.append(&answers(&a, 3, 1)).unwrap();
    let next = read_device(dir.path(), &a, &batch.cursor, u64::MAX).unwrap();
    assert_eq!(seqs(&next), vec![3]);
    assert_eq!(next.cursor.pending.get(&1), Some(&0));
}

#[test]
fn lines_from_another_device_or_out_of_order_are_damage() {
    let dir = tempfile::tempdir().unwrap();
    let a = device('a');
    let b = device('b');
    drop(write(dir.path(), &b, 1, small()));
    folder_for(dir.path(), &a);
    // B's segment copied into A's folder.
    fs::copy(
        segment_path(dir.path(), &b, 1),
        segment_path(dir.path(), &a, 1),
    )
    .unwrap();
    let batch = read_device(dir.path(), &a, &Cursor::default(), u64::MAX).unwrap();
    assert!(batch.events.is_empty());
    assert!(batch.problems[0].to_string().contains("belongs to device"));

    let mut lines = Vec::new();
    for event in answers(&a, 1, 2).iter().rev() {
        lines.extend(event.to_line().unwrap());
    }
    fs::write(segment_path(dir.path(), &a, 1), lines).unwrap();
    let batch = read_device(dir.path(), &a, &Cursor::default(), u64::MAX).unwrap();
    assert!(batch.problems[0].to_string().contains("does not follow"));
}

#[test]
fn foreign_files_and_links_are_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let a = device('a');
    drop(write(dir.path(), &a, 2, small()));
    let folder = dir.path().join(a.as_str());
    let original = segment_path(dir.path(), &a, 1);
    for name in [
        ".syncthing.00000002.jsonl.tmp",
        "00000001 (Someone's conflicted copy 2026-12-02).jsonl",
        "00000001.jsonl~",
        "00000001.jsonl.bak",
    ] {
        fs::copy(&original, folder.join(name)).unwrap();
    }
    fs::create_dir(folder.join("00000003.jsonl")).unwrap();
    #[cfg(unix)]
    {
        let outside = dir.path().join("outside.jsonl");
        fs::write(&outside, answers(&a, 3, 1)[0].to_line().unwrap()).unwrap();
        std::os::unix::fs::symlink(&outside, folder.join("00000002.jsonl")).unwrap();
    }
    let batch = read_device(dir.path(), &a, &Cursor::default(), u64::MAX).unwrap();
    assert_eq!(seqs(&batch), vec![1, 2]);
    let foreign = batch
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Foreign)
        .count();
    assert_eq!(foreign, 5, "{:?}", batch.problems);
    #[cfg(unix)]
    assert!(
        batch
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::Symlink)
    );
    // The device folder itself as a link is not followed either.
    #[cfg(unix)]
    {
        let c = device('c');
        std::os::unix::fs::symlink(&folder, dir.path().join(c.as_str())).unwrap();
        let batch = read_device(dir.path(), &c, &Cursor::default(), u64::MAX).unwrap();
        assert!(batch.events.is_empty());
        assert_eq!(batch.problems[0].kind, ProblemKind::Symlink);
    }
}

#[test]
fn a_cursor_resumes_exactly_and_survives_being_stored() {
    let dir = tempfile::tempdir().unwrap();
    let a = device('a');
    let thresholds = Thresholds {
        bytes: 1 << 20,
        events: 4,
    };
    let mut writer = write(dir.path(), &a, 6, thresholds);
    let mut cursor = Cursor::default();
    let mut seen = Vec::new();
    // A budget of one byte reads one segment per call.
    for _ in 0..3 {
        let batch = read_device(dir.path(), &a, &cursor, 1).unwrap();
        seen.extend(seqs(&batch));
        let stored = crate::text::to_json(&batch.cursor).unwrap();
        cursor = serde_json::from_str(&stored).unwrap();
    }
    assert_eq!(seen, (1..=6).collect::<Vec<_>>());
    writer.append(&answers(&a, 7, 5)).unwrap();
    let batch = read_device(dir.path(), &a, &cursor, u64::MAX).unwrap();
    assert_eq!(seqs(&batch), (7..=11).collect::<Vec<_>>());
    let batch = read_device(dir.path(), &a, &batch.cursor, u64::MAX).unwrap();
    assert!(batch.events.is_empty());
}

#[test]
fn a_folder_that_shrank_under_the_cursor_is_damage_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let a = device('a');
    drop(write(dir.path(), &a, 2, small()));
    let cursor = Cursor {
        segment: 1,
        offset: 5,
        pending: BTreeMap::new(),
    };
    let batch = read_device(dir.path(), &a, &cursor, u64::MAX).unwrap();
    assert!(batch.events.is_empty());
    assert!(batch.problems[0].to_string().contains("read position"));
    let missing = read_device(dir.path(), &device('d'), &Cursor::default(), u64::MAX).unwrap();
    assert!(missing.events.is_empty() && missing.problems.is_empty());
}

//! Inputs the fuzz targets (`fuzz/`, run with `bench/fuzz.sh`) found to crash a parser, kept
//! as ordinary tests: each feeds the reduced input to the same public entry point the target
//! calls and checks the file is refused (or read) cleanly instead of panicking.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, TimeZone, Utc};
use jargon::clock::{Clock, Zone};
use jargon::deck::{Format, LoadOptions, Loaded};
use jargon::error::{Error, Result};
use jargon::scheduler::Due;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// The fixed clock of the fuzz targets.
fn clock() -> Clock {
    let now = Utc.with_ymd_and_hms(2024, 6, 1, 12, 0, 0).unwrap();
    Clock::new(now, Zone::Named(chrono_tz::UTC), 4)
}

/// `tests/fixtures/anki-scheduled-legacy.apkg` with `sql` run on its collection first, packed
/// the way the `apkg_collection` target packs its edits; returns the package's path.
fn edited_package(dir: &Path, sql: &str) -> PathBuf {
    let file = std::fs::File::open(fixture("anki-scheduled-legacy.apkg")).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut bytes = vec![];
    archive
        .by_name("collection.anki21")
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    let collection = dir.join("collection.sqlite");
    std::fs::write(&collection, &bytes).unwrap();
    rusqlite::Connection::open(&collection)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
    let bytes = std::fs::read(&collection).unwrap();
    let path = dir.join("edited.apkg");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("collection.anki21", stored).unwrap();
    zip.write_all(&bytes).unwrap();
    zip.finish().unwrap();
    path
}

/// Loads a package as the `apkg` targets do.
fn load_package(path: &Path) -> Result<Loaded> {
    let options = LoadOptions {
        deck: None,
        format: Some(Format::Apkg),
        clock: Some(clock()),
    };
    jargon::import::load(path, &options)
}

/// Every due day a loaded package gives its cards, in their states and their log.
fn due_days(loaded: &Loaded) -> Vec<i64> {
    let mut days = vec![];
    for history in &loaded.histories {
        let states = history
            .answers
            .iter()
            .filter_map(|a| a.after)
            .chain(history.state);
        for state in states {
            if let Due::Day(day) = state.due {
                days.push(day);
            }
        }
    }
    days
}

/// Loads a package edited with `sql`: it must either load with every due day a calendar date
/// jargon can show, or be refused with an input error naming the package (a package's numbers
/// may be checked against the ranges Anki stores); never panic.
fn assert_loads_with_dates(sql: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = edited_package(dir.path(), sql);
    let loaded = match load_package(&path) {
        Ok(loaded) => loaded,
        Err(e) => {
            assert_eq!(e.exit_code(), 1, "{e}");
            match &e {
                Error::Input { file, .. } => assert_eq!(file, &path, "{e}"),
                other => panic!("not an input error: {other:?}"),
            }
            return;
        }
    };
    assert!(!loaded.decks.is_empty());
    let days = due_days(&loaded);
    assert!(!days.is_empty());
    for day in days {
        // Panics when chrono cannot represent the day. Packages' instants are kept in the
        // years 1 to 9999; the study day of the first one (before the rollover) is in year 0.
        let year = Clock::date_of_day(day).year();
        assert!(
            (0..=9999).contains(&year),
            "due day {day} is in the year {year}"
        );
    }
}

/// apkg_collection: a review card due i64::MAX days after the collection was created
/// overflowed `crt_day + due`.
#[test]
fn anki_review_card_due_past_every_date_loads_or_is_refused() {
    assert_loads_with_dates("UPDATE cards SET due = 9223372036854775807 WHERE id = 1795389560520;");
}

/// The same in the past, and for a learning card's day-based due value.
#[test]
fn anki_card_due_before_every_date_loads_or_is_refused() {
    assert_loads_with_dates("UPDATE cards SET due = -9223372036854775808 WHERE type IN (1, 2);");
}

/// apkg_collection: a review log row whose interval is i64::MIN (a learning step of
/// i64::MAX seconds) made `chrono::Duration::seconds` panic.
#[test]
fn anki_review_log_step_longer_than_any_duration_loads_or_is_refused() {
    assert_loads_with_dates(
        "UPDATE revlog SET ivl = -9223372036854775808 WHERE id = 1757411600000;",
    );
}

/// A review log row whose interval is i64::MAX days overflowed `day + interval`.
#[test]
fn anki_review_log_interval_past_every_date_loads_or_is_refused() {
    assert_loads_with_dates("UPDATE revlog SET ivl = 9223372036854775807;");
}

/// A review log row timed at the last instant chrono knows, with a long learning step.
#[test]
fn anki_review_log_step_after_the_last_instant_loads_or_is_refused() {
    assert_loads_with_dates(
        "UPDATE revlog SET id = 8210266876799999, ivl = -86400000 WHERE id = 1757411600000;",
    );
}

/// A collection created at the last instant chrono knows, with a review card due a long
/// way after that.
#[test]
fn anki_collection_created_at_the_last_instant_loads_or_is_refused() {
    let crt = DateTime::<Utc>::MAX_UTC.timestamp();
    assert_loads_with_dates(&format!(
        "UPDATE col SET crt = {crt}; UPDATE cards SET due = 999999999 WHERE type = 2;"
    ));
}

/// Review log rows and a collection at the first instant chrono knows: the study day starts
/// hours before it.
#[test]
fn anki_review_log_at_the_first_instant_loads_or_is_refused() {
    let first = DateTime::<Utc>::MIN_UTC;
    let (seconds, millis) = (first.timestamp(), first.timestamp_millis());
    assert_loads_with_dates(&format!(
        "UPDATE col SET crt = {seconds}; UPDATE revlog SET id = {millis} + (id - 1757411600000) / 1000;"
    ));
}

/// The position of an error in a JSON deck, as `(line, column)`.
fn json_error_position(text: &str) -> (usize, usize) {
    let path = Path::new("fuzz.json");
    match jargon::deck::json::parse(path, text, "fuzz") {
        Ok(decks) => panic!("{text:?} parsed: {decks:?}"),
        Err(Error::Input {
            position: Some(p), ..
        }) => (p.line, p.column),
        Err(e) => panic!("{text:?}: {e:?}"),
    }
}

/// json (first seed, tests/fixtures/anki-scheduled.expected.json): a file whose top level is
/// an object, not an array, was refused at column 0 (`fuzz.json:1:0:`); columns are 1-based
/// and point at the value that is not an array.
#[test]
fn json_deck_that_is_not_an_array_is_refused_at_its_value() {
    assert_eq!(json_error_position("{}"), (1, 1));
    assert_eq!(json_error_position("\n  {\"term\": 1}"), (2, 3));
}

/// json (fork run): a top-level string holding a byte-order mark, `"[\u{feff}"`, was refused
/// at column 6 of a 4-character line: serde_json counts bytes, positions count characters.
/// The input is kept in tests/fixtures/fuzz/ (the fuzz script seeds its corpus from there).
#[test]
fn json_error_column_counts_characters_not_bytes() {
    let bytes = std::fs::read(fixture("fuzz/json-string-with-bom.json")).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let (line, column) = json_error_position(&text);
    assert_eq!(line, 1);
    assert!(column <= text.chars().count() + 1, "column {column}");
    assert_eq!(json_error_position("\"ééé\""), (1, 5));
}

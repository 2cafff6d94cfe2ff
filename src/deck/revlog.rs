//! Review logs in the shape FSRS tools and Anki exports share: a CSV with a header naming
//! `card_id`, `review_rating` (1 Again, 2 Hard, 3 Good, 4 Easy), `review_time` (ISO 8601; UTC
//! when no offset is given; or unix milliseconds) and optionally `review_duration` (ms, 0 when
//! absent). Columns may come in any order; other columns are ignored.
//!
//! Each distinct `card_id` becomes a note keyed `card-<id>` whose forward card carries the
//! history. The text of the cards is not in a review log, so the notes say so; the reverse card
//! stays new (the log records one direction of one card, and inventing a history for the other
//! direction would put answers in the log that were never given).

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::csv::{csv_error, field_position};
use super::history::plausible_ms;
use super::{DeckInput, NoteInput};
use crate::error::{Error, Position, Result};
use crate::model::NoteFields;
use crate::records::import::{CardHistory, ImportedAnswer};
use crate::scheduler::{Answer, Quality};

/// The deck a review log goes to unless `--deck` names another.
pub const DEFAULT_DECK: &str = "Imported review log";

/// A review log, as notes to create and the histories of their forward cards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewLog {
    pub deck: DeckInput,
    /// One per note, in the order of `deck.notes`.
    pub histories: Vec<CardHistory>,
    pub reviews: usize,
}

const REQUIRED: [&str; 3] = ["card_id", "review_rating", "review_time"];

/// One answer of a review log, kept small (a review log has millions of rows): unix
/// milliseconds, duration in milliseconds, quality.
type Row = (i64, i64, Quality);

/// Parses a review log into one deck named `deck_name`.
pub fn parse(path: &Path, text: &str, deck_name: &str) -> Result<ReviewLog> {
    if text.trim().is_empty() {
        return Err(Error::input(
            path,
            None,
            "the review log is empty (expected a header: card_id,review_rating,review_time,review_duration)",
        ));
    }
    let delimiter = if text.lines().next().is_some_and(|l| l.contains('\t')) {
        b'\t'
    } else {
        b','
    };
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let columns = Columns::read(path, text, &mut reader, delimiter)?;
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut notes: Vec<NoteInput> = vec![];
    // Per card, its answers as they come.
    let mut answers: Vec<Vec<Row>> = vec![];
    let mut index_of: HashMap<String, usize> = HashMap::new();
    let mut reviews = 0;
    let mut record = ::csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(path, text, 0, e)),
        }
        let (card, row) = columns.answer(path, text, &record)?;
        let index = match index_of.get(card) {
            Some(i) => *i,
            None => {
                let line = record.position().map_or(1, |p| p.line() as usize);
                notes.push(card_note(card, line, &file_name));
                answers.push(vec![]);
                index_of.insert(card.to_string(), notes.len() - 1);
                notes.len() - 1
            }
        };
        answers[index].push(row);
        reviews += 1;
    }
    if notes.is_empty() {
        return Err(Error::input(
            path,
            None,
            "the review log has a header but no reviews",
        ));
    }
    Ok(ReviewLog {
        deck: DeckInput {
            name: deck_name.to_string(),
            description: None,
            notes,
        },
        histories: histories(answers),
        reviews,
    })
}

/// Where a review log's fields are, from its header.
struct Columns {
    delimiter: u8,
    card: usize,
    rating: usize,
    time: usize,
    duration: Option<usize>,
}

impl Columns {
    /// Reads the header; refuses one without a required column.
    fn read(
        path: &Path,
        text: &str,
        reader: &mut ::csv::Reader<&[u8]>,
        delimiter: u8,
    ) -> Result<Columns> {
        let headers = reader.headers().map_err(|e| csv_error(path, text, 0, e))?;
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        for name in REQUIRED {
            if column(name).is_none() {
                return Err(Error::input(
                    path,
                    Some(Position { line: 1, column: 1 }),
                    format!(
                        "the header has no '{name}' column (a review log needs card_id, review_rating and review_time)"
                    ),
                ));
            }
        }
        // Checked just above.
        let [card, rating, time] = REQUIRED.map(|n| column(n).unwrap_or_default());
        Ok(Columns {
            delimiter,
            card,
            rating,
            time,
            duration: column("review_duration"),
        })
    }

    /// One row's card id and answer; refuses an empty card id, a rating outside 1 to 4, a
    /// time that is not one or not plausible, and a duration that is not a number.
    fn answer<'r>(
        &self,
        path: &Path,
        text: &str,
        record: &'r ::csv::StringRecord,
    ) -> Result<(&'r str, Row)> {
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let at = |field: usize| Some(field_position(text, start, field, self.delimiter));
        let card = record.get(self.card).unwrap_or("").trim();
        if card.is_empty() {
            return Err(Error::input(path, at(self.card), "the card_id is empty"));
        }
        let rating_text = record.get(self.rating).unwrap_or("").trim();
        let answer = rating_text
            .parse::<u8>()
            .ok()
            .and_then(Answer::from_rating)
            .ok_or_else(|| {
                Error::input(
                    path,
                    at(self.rating),
                    format!(
                        "the review_rating '{rating_text}' is not a rating from 1 (Again) to 4 (Easy)"
                    ),
                )
            })?;
        let time_text = record.get(self.time).unwrap_or("").trim();
        let reviewed_at = parse_time(time_text).ok_or_else(|| {
            Error::input(
                path,
                at(self.time),
                format!(
                    "the review_time '{time_text}' is not an ISO 8601 time such as 2024-03-29T20:32:32.250Z"
                ),
            )
        })?;
        if !plausible_ms(reviewed_at.timestamp_millis()) {
            return Err(Error::input(
                path,
                at(self.time),
                format!("the review_time '{time_text}' is not between 2000-01-01 and 2100-01-01"),
            ));
        }
        let duration_ms = match self.duration {
            None => 0,
            Some(col) => {
                let text = record.get(col).unwrap_or("").trim();
                if text.is_empty() {
                    0
                } else {
                    parse_duration_ms(text).ok_or_else(|| {
                        Error::input(
                            path,
                            at(col),
                            format!(
                                "the review_duration '{text}' is not a number of milliseconds from 0 to {}",
                                u32::MAX
                            ),
                        )
                    })?
                }
            }
        };
        let row = (
            reviewed_at.timestamp_millis(),
            duration_ms,
            answer.quality(),
        );
        Ok((card, row))
    }
}

/// The note a card of a review log becomes, first seen on `line`.
fn card_note(card: &str, line: usize, file_name: &str) -> NoteInput {
    NoteInput {
        fields: NoteFields {
            key: format!("card-{}", crate::text::slug(card)),
            guid: None,
            term: format!("card {card}"),
            definition: format!("Imported from {file_name}; no text was given"),
            source: file_name.to_string(),
            // A log card is one card: inventing a reverse for it would add a card nobody studied.
            forward_only: true,
            ..NoteFields::default()
        },
        position: Some(Position { line, column: 1 }),
    }
}

/// Each card's answers as its history, in time order; answers at the same instant keep the
/// file's order (a stable sort).
fn histories(answers: Vec<Vec<Row>>) -> Vec<CardHistory> {
    answers
        .into_iter()
        .enumerate()
        .map(|(note, mut list)| {
            list.sort_by_key(|(ms, _, _)| *ms);
            CardHistory {
                note,
                ord: 0,
                answers: list
                    .iter()
                    .map(|&(reviewed_at_ms, duration_ms, quality)| ImportedAnswer {
                        reviewed_at_ms,
                        quality,
                        duration_ms,
                        after: None,
                    })
                    .collect(),
                state: None,
                suspended: false,
                buried: false,
            }
        })
        .collect()
}

/// ISO 8601 with an offset (`T` or a space between date and time), without one (taken as
/// UTC), or a whole number of unix milliseconds.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%z"] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.with_timezone(&Utc));
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc());
        }
    }
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_millis);
    }
    None
}

/// The largest review_duration: Anki's own limit (`u32` milliseconds, about 49 days).
const DURATION_LIMIT_MS: i64 = u32::MAX as i64;

fn parse_duration_ms(text: &str) -> Option<i64> {
    let ms = match text.parse::<i64>() {
        Ok(ms) => ms,
        Err(_) => {
            // Some exports write durations as floats ("7241.0"); the range check makes the
            // conversion exact.
            let ms = text.parse::<f64>().ok()?.round();
            if !(0.0..=DURATION_LIMIT_MS as f64).contains(&ms) {
                return None;
            }
            ms as i64
        }
    };
    (0..=DURATION_LIMIT_MS).contains(&ms).then_some(ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn parse_str(text: &str) -> Result<ReviewLog> {
        parse(&PathBuf::from("log.csv"), text, DEFAULT_DECK)
    }

    #[test]
    fn columns_may_come_in_any_order_with_extra_ones() {
        let log = parse_str(
            "review_time,extra,card_id,review_rating\n2024-03-29T20:32:32.250000+00:00,x,17,3\n2024-03-28 10:00:00,y,17,1\n2024-03-29T20:00:00Z,z,18,4\n",
        )
        .unwrap();
        assert_eq!(log.reviews, 3);
        assert_eq!(log.deck.notes.len(), 2);
        assert_eq!(log.deck.notes[0].fields.key, "card-17");
        assert_eq!(log.deck.notes[0].fields.term, "card 17");
        // Sorted by time: the 28th comes first.
        let first = &log.histories[0].answers[0];
        assert_eq!(first.quality.value(), 1);
        assert_eq!(
            log.histories[0].answers[1].reviewed_at_ms,
            1_711_744_352_250
        );
        assert_eq!(log.histories[1].answers[0].quality.value(), 5);
    }

    #[test]
    fn a_bad_rating_is_reported_at_its_field() {
        let err = parse_str(
            "card_id,review_rating,review_time,review_duration\n1,3,2024-03-29T20:32:32Z,100\n1,7,2024-03-30T20:32:32Z,100\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("log.csv:3:3:"), "{err}");
        assert!(err.contains("'7'"), "{err}");
    }

    #[test]
    fn a_bad_time_and_a_missing_column_are_named() {
        let err = parse_str("card_id,review_rating,review_time\n1,3,yesterday\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("log.csv:2:5:"), "{err}");
        let err = parse_str("card_id,review_rating\n1,3\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("'review_time'"), "{err}");
    }

    #[test]
    fn times_and_durations_out_of_range_are_refused_at_their_field() {
        for (text, field) in [
            (
                "card_id,review_rating,review_time\n1,3,9223372036854775807\n",
                "log.csv:2:5:",
            ),
            ("card_id,review_rating,review_time\n1,3,0\n", "log.csv:2:5:"),
            (
                "card_id,review_rating,review_time\n1,3,2200-01-01T00:00:00Z\n",
                "log.csv:2:5:",
            ),
            (
                "card_id,review_rating,review_time,review_duration\n1,3,2024-03-29T20:32:32Z,9000000000000\n",
                "log.csv:2:26:",
            ),
            (
                "card_id,review_rating,review_time,review_duration\n1,3,2024-03-29T20:32:32Z,5e9\n",
                "log.csv:2:26:",
            ),
        ] {
            let err = parse_str(text).unwrap_err().to_string();
            assert!(err.starts_with(field), "{err}");
        }
        let ok = parse_str(
            "card_id,review_rating,review_time,review_duration\n1,3,2024-03-29T20:32:32Z,4294967295\n",
        )
        .unwrap();
        assert_eq!(ok.histories[0].answers[0].duration_ms, 4_294_967_295);
    }

    #[test]
    fn times_in_several_iso_shapes_and_milliseconds_agree() {
        let expected = parse_time("2024-03-29T20:32:32.250Z").unwrap();
        for text in [
            "2024-03-29T20:32:32.250000+00:00",
            "2024-03-29 20:32:32.250+00:00",
            "2024-03-29T22:32:32.250+02:00",
            "2024-03-29 20:32:32.25",
            "1711744352250",
        ] {
            assert_eq!(parse_time(text), Some(expected), "{text}");
        }
        assert_eq!(parse_time("29/03/2024"), None);
    }
}

//! The shape of a CSV/TSV text: which separator it uses, and where a field, a row's first
//! extra field or a quote that never closes is, so that errors name the right line and
//! column.

use std::path::Path;

use crate::error::{Error, Position};

/// Picks the separator from the first rows. Of tab, comma, semicolon and pipe, those that
/// split the first row (a header or the first note) into at least two fields compete; the one
/// the most rows agree with (as many fields as the first row) wins, the earlier one in that
/// list on a tie, and at least half the rows must agree. So a separator every row agrees on
/// wins as before, and one unquoted comma in a row of a comma-separated file leaves that row
/// ragged (and reported as such) instead of leaving the separator unknown.
pub fn detect_separator(data: &str) -> Option<u8> {
    const CANDIDATES: [u8; 4] = [b'\t', b',', b';', b'|'];
    const SAMPLE: usize = 20;
    let mut best: Option<(usize, u8)> = None;
    for delimiter in CANDIDATES {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(data.as_bytes());
        let counts: Vec<usize> = reader
            .records()
            .take(SAMPLE)
            .map(|r| r.map_or(0, |r| r.len()))
            .collect();
        let Some(&first) = counts.first() else {
            continue;
        };
        let agree = counts.iter().filter(|&&n| n == first).count();
        if first < 2 || agree * 2 < counts.len() {
            continue;
        }
        if best.is_none_or(|(most, _)| agree > most) {
            best = Some((agree, delimiter));
        }
    }
    best.map(|(_, delimiter)| delimiter)
}

/// The line and column where field `field` of the record starting at byte `start` begins.
pub fn field_position(text: &str, start: usize, field: usize, delimiter: u8) -> Position {
    let bytes = text.as_bytes();
    let mut i = start.min(bytes.len());
    let mut current = 0;
    while current < field && i < bytes.len() {
        if bytes[i] == b'"' {
            i += 1;
            while i < bytes.len() {
                if bytes[i] == b'"' {
                    if bytes.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i += 1;
        }
        while i < bytes.len() && bytes[i] != delimiter && bytes[i] != b'\n' {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == delimiter {
            current += 1;
            i += 1;
        } else {
            break;
        }
    }
    Position::of_offset(text, i)
}

/// Where a quoted field that never closes opens, scanning the record starting at `start`.
pub fn unterminated_quote(text: &str, start: usize, delimiter: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = start;
    let mut at_field_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        if at_field_start && b == b'"' {
            let open = i;
            i += 1;
            loop {
                match bytes.get(i) {
                    None => return Some(open),
                    Some(b'"') if bytes.get(i + 1) == Some(&b'"') => i += 2,
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
            at_field_start = false;
            continue;
        }
        at_field_start = b == delimiter || b == b'\n';
        i += 1;
    }
    None
}

/// A `csv` error as one located sentence; `base` is where the reader's input starts in `text`.
pub fn csv_error(path: &Path, text: &str, base: usize, err: csv::Error) -> Error {
    let position = err
        .position()
        .map(|p| Position::of_offset(text, base + p.byte() as usize));
    let message = match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "this row has {len} fields but the rows before it have {expected_len} (quote a field that contains the separator)"
        ),
        csv::ErrorKind::Utf8 { .. } => "the file is not valid UTF-8 text (save it as UTF-8)".into(),
        _ => format!("cannot read this row: {err}"),
    };
    Error::input(path, position, message)
}

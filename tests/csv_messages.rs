//! Import errors point to the right place: the CSV separator follows the header and most
//! rows, so one ragged row is reported as that row (its line, its field count against the
//! header's), an unclosed quote names the line it opened on, and JSON errors have a real
//! column.

use crate::common;

use common::{Env, text};

/// Imports `contents` as `name`; returns standard error after checking the run failed with
/// exit code 1 and wrote no note of the file.
fn refused(name: &str, contents: &str) -> String {
    let env = Env::new();
    let file = env.write(name, contents);
    let out = env.run(&["import", "--deck", "Imported", file.to_str().unwrap()]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    let notes: i64 = env.sql(
        "SELECT count(*) FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = 'Imported'",
    );
    assert_eq!(notes, 0, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one sentence: {stderr}");
    stderr
}

/// The `LINE:COLUMN` right after the file name.
fn position(stderr: &str, name: &str) -> (usize, usize) {
    let after = stderr
        .split_once(&format!("{name}:"))
        .unwrap_or_else(|| panic!("no {name}: in {stderr}"))
        .1;
    let mut parts = after.splitn(3, ':');
    let line = parts.next().and_then(|p| p.parse().ok());
    let column = parts.next().and_then(|p| p.parse().ok());
    match (line, column) {
        (Some(l), Some(c)) => (l, c),
        _ => panic!("no line and column in {stderr}"),
    }
}

#[test]
fn one_unquoted_comma_in_a_spreadsheet_export_is_a_ragged_row_on_its_line() {
    let stderr = refused(
        "sheet.csv",
        "Term,Definition,Tags\nattention,a weighting,nlp\nbias,an offset, a constant,stats\nepoch,one pass,basics\n",
    );
    assert!(!stderr.contains("separator the file uses"), "{stderr}");
    assert!(!stderr.contains("#columns"), "{stderr}");
    assert!(
        stderr.contains("line 3 has 4 fields, the header has 3"),
        "{stderr}"
    );
    // At the first field too many: `stats`, column 28 of line 3.
    assert_eq!(position(&stderr, "sheet.csv"), (3, 28), "{stderr}");
}

#[test]
fn an_unclosed_quote_names_the_line_it_opened_on() {
    // Five lines; the quote opens on line 3 and nothing closes it.
    let stderr = refused("quote.csv", "term,definition\na,b\n\"c,d\ne,f\ng,h\n");
    assert_eq!(position(&stderr, "quote.csv"), (3, 1), "{stderr}");
    assert!(stderr.contains("opened on line 3"), "{stderr}");
    assert!(stderr.contains("never closed"), "{stderr}");
    // The same without a header row, the quote in a later field.
    let stderr = refused("quote.csv", "a,b\nc,d\ne,\"f\ng,h\ni,j\n");
    assert_eq!(position(&stderr, "quote.csv"), (3, 3), "{stderr}");
    assert!(stderr.contains("opened on line 3"), "{stderr}");
}

#[test]
fn a_ragged_row_without_a_columns_line_is_measured_against_the_first_row() {
    let stderr = refused("ragged.csv", "a,b\nc,d,e\nf,g\n");
    assert!(!stderr.contains("#columns"), "{stderr}");
    assert!(
        stderr.contains("line 2 has 3 fields, line 1 has 2"),
        "{stderr}"
    );
    assert_eq!(position(&stderr, "ragged.csv"), (2, 5), "{stderr}");
    // With a `#columns:` line, that line is what the row is measured against.
    let stderr = refused(
        "named.csv",
        "#separator:Comma\n#columns:term,definition\na,b\nc,d,e\n",
    );
    assert!(
        stderr.contains("line 4 has 3 fields, the #columns: line names 2"),
        "{stderr}"
    );
    assert_eq!(position(&stderr, "named.csv"), (4, 5), "{stderr}");
}

#[test]
fn a_separator_that_no_row_agrees_on_is_still_refused() {
    let stderr = refused("words.csv", "one\ntwo\nthree\n");
    assert!(stderr.contains("cannot tell which separator"), "{stderr}");
}

#[test]
fn json_errors_point_at_a_real_column() {
    // The array never closes: the end of the last line, not a line after the file.
    let stderr = refused("eof.json", "[\n {\"term\": \"a\", \"definition\": \"b\"}\n");
    assert!(stderr.contains("EOF"), "{stderr}");
    assert_eq!(position(&stderr, "eof.json"), (2, 34), "{stderr}");
    // The top level is an object: its opening brace.
    let stderr = refused("object.json", "\n  {\"term\": \"a\"}\n");
    assert!(stderr.contains("array of note objects"), "{stderr}");
    assert_eq!(position(&stderr, "object.json"), (2, 3), "{stderr}");
    // A note that is not closed: the `]` where `}` was expected.
    let stderr = refused(
        "unclosed.json",
        "[\n {\"term\": \"a\",\n  \"definition\": \"b\"\n]\n",
    );
    assert_eq!(position(&stderr, "unclosed.json"), (4, 1), "{stderr}");
    // A string broken by a line break: the line break itself, at the end of line 1.
    let stderr = refused(
        "broken.json",
        "[{\"term\": \"a\n\", \"definition\": \"b\"}]\n",
    );
    let (line, column) = position(&stderr, "broken.json");
    assert!(line == 1 && column > 0, "{stderr}");
}

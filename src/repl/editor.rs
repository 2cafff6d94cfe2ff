//! Editing a note in `$VISUAL`/`$EDITOR` until it is valid, for `jargon edit` and `:edit`.
//!
//! The note is written as TOML to a temporary file and the editor is run on it. A text that
//! does not parse is not thrown away: the editor is opened again on the same text with the
//! error as `# jargon: ...` comment lines at the top (as `git commit` does); those lines are
//! taken off again before the text is parsed or reopened. A saved text that is the original
//! note, one with nothing but comments and blank lines, or one saved again unchanged after an
//! error cancels the edit; so does an editor that exits with a failure.
//!
//! [`judge`], [`with_error`] and [`strip_error`] are the pure rules; [`edit_until_valid`]
//! runs the rounds; [`run_editor`] starts the learner's editor.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::NoteFields;

/// Every line of the error header starts with this, and only those lines are taken off.
const MARK: &str = "# jargon:";

/// The lines the header puts above the note: the error, the advice, a blank line.
const HEADER_LINES: usize = 3;

/// How an edit ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<T> {
    /// A valid text, checked.
    Saved(T),
    /// The file was saved as it was given (or not saved at all).
    Unchanged,
    /// The file was left with nothing but comments and blank lines.
    Emptied,
    /// After an error the file was saved again without a change: the error, as shown.
    Unfixed(String),
}

/// What one saved file means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Unchanged,
    Emptied,
    /// The same text as the previous round, which had an error.
    Unfixed,
    /// A new text to check (the error header taken off).
    Check(String),
}

/// The text without a leading error header (the `# jargon:` lines and the blank line after).
pub fn strip_error(text: &str) -> &str {
    let mut rest = text;
    let mut stripped = false;
    while rest.starts_with(MARK) {
        stripped = true;
        rest = rest.find('\n').map_or("", |end| &rest[end + 1..]);
    }
    if stripped
        && let Some(after) = rest
            .strip_prefix("\r\n")
            .or_else(|| rest.strip_prefix('\n'))
    {
        rest = after;
    }
    rest
}

/// `body` (any earlier header taken off) with `error` as a header of [`HEADER_LINES`] lines.
pub fn with_error(error: &str, body: &str) -> String {
    // One line whatever the message holds: a TOML comment ends at the line's end.
    let error: String = error
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    format!(
        "{MARK} {error}\n{MARK} correct the note and save to try again; empty the file to cancel.\n\n{}",
        strip_error(body)
    )
}

/// Decides what a saved file means. `original` is the note as first given; `retried` is the
/// text (header taken off) of the previous round when that round had an error.
pub fn judge(original: &str, retried: Option<&str>, saved: &str) -> Verdict {
    let body = strip_error(saved);
    let only_comments = body.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#')
    });
    if only_comments {
        Verdict::Emptied
    } else if body.trim() == original.trim() {
        Verdict::Unchanged
    } else if retried.is_some_and(|before| before.trim() == body.trim()) {
        Verdict::Unfixed
    } else {
        Verdict::Check(body.to_string())
    }
}

/// Moves an error's line down past the header it is shown under, so it points into the
/// file as reopened.
fn shown_below_header(error: Error) -> Error {
    match error {
        Error::Input {
            file,
            position: Some(mut position),
            message,
        } => {
            position.line += HEADER_LINES;
            Error::Input {
                file,
                position: Some(position),
                message,
            }
        }
        other => other,
    }
}

/// Runs the editor (through `run`) on `original` in a temporary file until `check` accepts
/// the saved text or the learner cancels. `check` is given the file's path to name in its
/// errors. An error from `run` (the editor could not start, or failed) ends the edit.
pub fn edit_until_valid<T>(
    original: &str,
    run: &mut dyn FnMut(&Path) -> Result<()>,
    check: &dyn Fn(&Path, &str) -> Result<T>,
) -> Result<Outcome<T>> {
    let file = tempfile::Builder::new()
        .prefix("jargon-note-")
        .suffix(".toml")
        .tempfile()
        .map_err(|e| Error::failed(format!("cannot create a temporary file to edit: {e}")))?;
    let path = file.path();
    let mut shown = original.to_string();
    let mut retried: Option<(String, String)> = None;
    loop {
        std::fs::write(path, &shown).map_err(|e| Error::io("write", path, e))?;
        run(path)?;
        let saved = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        let previous = retried.as_ref().map(|(body, _)| body.as_str());
        let body = match judge(original, previous, &saved) {
            Verdict::Unchanged => return Ok(Outcome::Unchanged),
            Verdict::Emptied => return Ok(Outcome::Emptied),
            Verdict::Unfixed => {
                let error = retried.map(|(_, error)| error).unwrap_or_default();
                return Ok(Outcome::Unfixed(error));
            }
            Verdict::Check(body) => body,
        };
        match check(path, &body) {
            Ok(value) => return Ok(Outcome::Saved(value)),
            Err(error) => {
                let error = shown_below_header(error).to_string();
                shown = with_error(&error, &body);
                retried = Some((body, error));
            }
        }
    }
}

/// The one note of an edited file, with its fields checked.
pub fn parse_note(path: &Path, text: &str) -> Result<NoteFields> {
    let deck = crate::deck::toml::parse(path, text)?;
    let [note] = deck.notes.as_slice() else {
        return Err(Error::input(
            path,
            None,
            format!(
                "keep exactly one [[note]] in the file (it has {})",
                deck.notes.len()
            ),
        ));
    };
    if note.fields.term.is_empty() || note.fields.definition.is_empty() {
        return Err(Error::input(
            path,
            note.position,
            "a note needs a term and a definition",
        ));
    }
    Ok(note.fields.clone())
}

/// Runs `$VISUAL`, `$EDITOR` or `vi` on `path` and waits for it.
pub fn run_editor(path: &Path) -> Result<()> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|v| !v.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".to_string());
    let mut parts = editor.split_whitespace();
    let program = parts.next().unwrap_or("vi");
    // What was printed before must be on the screen before the editor takes it.
    let _ = std::io::stdout().flush();
    let status = std::process::Command::new(program)
        .args(parts)
        .arg(path)
        .status()
        .map_err(|e| Error::failed(format!("cannot start the editor '{editor}': {e}")))?;
    if !status.success() {
        return Err(Error::failed(format!(
            "the editor '{editor}' exited with {status}; nothing was changed"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTE: &str =
        "name = \"Test\"\n\n[[note]]\nid = \"a\"\nterm = \"a\"\ndefinition = \"b\"\n";

    #[test]
    fn the_header_goes_on_top_and_comes_off_again() {
        let shown = with_error("f.toml:4:1: invalid deck: bad", "x = \n");
        assert_eq!(
            shown,
            "# jargon: f.toml:4:1: invalid deck: bad\n\
             # jargon: correct the note and save to try again; empty the file to cancel.\n\nx = \n"
        );
        assert_eq!(shown.lines().count(), HEADER_LINES + 1);
        assert_eq!(strip_error(&shown), "x = \n");
        // A second error replaces the first rather than piling up.
        let again = with_error("f.toml:5:2: other", &shown);
        assert_eq!(again.matches(MARK).count(), 2);
        assert!(!again.contains("bad"));
        assert_eq!(strip_error(&again), "x = \n");
    }

    #[test]
    fn only_the_header_is_taken_off() {
        assert_eq!(strip_error("# mine\nx = 1\n"), "# mine\nx = 1\n");
        assert_eq!(strip_error("\nx = 1\n"), "\nx = 1\n");
        assert_eq!(strip_error("# jargon: e\nx = 1\n"), "x = 1\n");
        assert_eq!(strip_error("# jargon: e"), "");
        assert_eq!(strip_error("x = 1\n# jargon: e\n"), "x = 1\n# jargon: e\n");
    }

    #[test]
    fn an_error_message_stays_on_its_comment_lines() {
        let shown = with_error("bad\nkey = 1\r", "x\n");
        assert_eq!(strip_error(&shown), "x\n");
        assert!(shown.starts_with("# jargon: bad key = 1 \n"));
    }

    #[test]
    fn the_original_or_an_empty_file_cancels() {
        assert_eq!(judge(NOTE, None, NOTE), Verdict::Unchanged);
        assert_eq!(
            judge(NOTE, None, &format!("\n{NOTE}\n\n")),
            Verdict::Unchanged
        );
        assert_eq!(judge(NOTE, None, ""), Verdict::Emptied);
        assert_eq!(
            judge(NOTE, None, "# name = \"Test\"\n\n   \n# [[note]]\n"),
            Verdict::Emptied
        );
        let header_only = with_error("e", "");
        assert_eq!(judge(NOTE, Some("x ="), &header_only), Verdict::Emptied);
        // Going back to the original after an error is no change at all.
        assert_eq!(
            judge(NOTE, Some("x ="), &with_error("e", NOTE)),
            Verdict::Unchanged
        );
    }

    #[test]
    fn a_text_saved_again_unchanged_after_an_error_cancels() {
        let bad = "name = \"Test\"\n[[note]]\nterm = \n";
        let shown = with_error("e", bad);
        assert_eq!(judge(NOTE, Some(bad), &shown), Verdict::Unfixed);
        // The same text with the header deleted is still the same text.
        assert_eq!(judge(NOTE, Some(bad), bad), Verdict::Unfixed);
        // The first round has no previous text to compare with.
        assert_eq!(judge(NOTE, None, bad), Verdict::Check(bad.to_string()));
        let fixed = "name = \"Test\"\n[[note]]\nterm = \"t\"\n";
        assert_eq!(
            judge(NOTE, Some(bad), &with_error("e", fixed)),
            Verdict::Check(fixed.to_string())
        );
    }

    #[test]
    fn errors_point_into_the_file_as_reopened() {
        let path = Path::new("n.toml");
        let bad = "name = \"Test\"\n\n[[note]]\nterm = \"t\"\ndefinition = \n";
        let error = parse_note(path, bad).unwrap_err();
        let Error::Input {
            position: Some(at), ..
        } = &error
        else {
            panic!("{error:?}");
        };
        let line = at.line;
        let shown = shown_below_header(error).to_string();
        assert!(
            shown.starts_with(&format!("n.toml:{}:", line + HEADER_LINES)),
            "{shown}"
        );
        // The reported line of the reopened file is the line that was wrong.
        let reopened = with_error(&shown, bad);
        let wrong = reopened.lines().nth(line + HEADER_LINES - 1).unwrap();
        assert_eq!(wrong, bad.lines().nth(line - 1).unwrap());
    }

    #[test]
    fn the_loop_reopens_the_same_text_with_the_error_until_it_parses() {
        let mut seen = Vec::new();
        let mut round = 0;
        let mut run = |path: &Path| -> Result<()> {
            let text = std::fs::read_to_string(path).unwrap();
            seen.push(text.clone());
            round += 1;
            let next = if round == 1 {
                text.replace("definition = \"b\"", "definition = ")
            } else {
                text.replace("definition = ", "definition = \"fixed\"")
            };
            std::fs::write(path, next).unwrap();
            Ok(())
        };
        let outcome = edit_until_valid(NOTE, &mut run, &parse_note).unwrap();
        let Outcome::Saved(fields) = outcome else {
            panic!("{outcome:?}");
        };
        assert_eq!(fields.definition, "fixed");
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0], NOTE);
        assert!(seen[1].starts_with("# jargon: "), "{}", seen[1]);
        assert!(seen[1].contains(":9:"), "{}", seen[1]);
        assert_eq!(
            strip_error(&seen[1]),
            NOTE.replace("definition = \"b\"", "definition = ")
        );
    }

    #[test]
    fn the_loop_stops_when_the_bad_text_is_saved_again() {
        let mut rounds = 0;
        let mut run = |path: &Path| -> Result<()> {
            rounds += 1;
            if rounds == 1 {
                std::fs::write(path, "[[note]]\nterm = \n").unwrap();
            }
            Ok(())
        };
        let outcome = edit_until_valid(NOTE, &mut run, &parse_note).unwrap();
        assert_eq!(rounds, 2);
        let Outcome::Unfixed(error) = outcome else {
            panic!("{outcome:?}");
        };
        assert!(error.contains(":5:"), "{error}");
    }

    #[test]
    fn a_failing_editor_ends_the_edit() {
        let mut run = |_: &Path| -> Result<()> { Err(Error::failed("the editor failed")) };
        let error = edit_until_valid(NOTE, &mut run, &parse_note).unwrap_err();
        assert_eq!(error.to_string(), "the editor failed");
    }

    #[test]
    fn a_file_must_hold_one_note_with_a_term_and_a_definition() {
        let path = Path::new("n.toml");
        let two = format!("{NOTE}\n[[note]]\nterm = \"c\"\ndefinition = \"d\"\n");
        let error = parse_note(path, &two).unwrap_err().to_string();
        assert_eq!(
            error,
            "n.toml: keep exactly one [[note]] in the file (it has 2)"
        );
        let empty = NOTE.replace("definition = \"b\"", "definition = \" \"");
        let error = parse_note(path, &empty).unwrap_err().to_string();
        assert_eq!(error, "n.toml:3:1: a note needs a term and a definition");
    }
}

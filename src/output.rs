//! The one way text reaches a person. [`Human`] wraps standard output, standard error (or any
//! writer) and neutralises whatever a file or a user wrote: C0 controls other than newline
//! and tab, ESC and the sequences it starts, C1 controls, bidi overrides and isolates become
//! visible `\u{..}` forms ([`crate::text::is_terminal_control`]); a carriage return is dropped.
//!
//! Our own styling cannot travel as escape sequences in the same text, since a deck name could
//! hold the same bytes. [`sgr`] therefore writes a marker: a private-use character, a random
//! number drawn once per process, the SGR parameters and `m`. Only [`Human`] turns a marker
//! with this process's number into `ESC [ params m`; a deck name cannot know the number, so
//! it cannot forge a colour, let alone any other sequence. Text styled by
//! [`crate::repl::render::Style`] therefore shows its colours only when printed through a
//! [`Human`], and anything printed another way shows no escape at all.
//!
//! `print!`, `println!`, `eprint!` and `eprintln!` are denied in the crate (`lib.rs`,
//! `main.rs`), so a message cannot go around this writer by accident; data outputs (exports,
//! JSON, CSV, the HTML report, completions) are written raw, see `cli::run`.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::OnceLock;

use crate::text::{is_terminal_control, push_visible};

/// Starts one of our style markers (a private-use character nobody types by accident).
const MARK: char = '\u{10fffd}';

/// Hex digits of this process's marker number.
const NONCE_LEN: usize = 16;

/// This process's marker number, as hex digits.
fn nonce() -> &'static str {
    static NONCE: OnceLock<String> = OnceLock::new();
    NONCE.get_or_init(|| format!("{:016x}", rand::random::<u64>()))
}

/// Our `ESC [ params m` (SGR: colour, bold, dim, reset) as a marker that only [`Human`] turns
/// into the sequence. `params` is ours, never a value: digits and `;`.
pub fn sgr(params: &'static str) -> String {
    debug_assert!(params.bytes().all(|b| b.is_ascii_digit() || b == b';'));
    format!("{MARK}{}{params}m", nonce())
}

/// `text` as [`Human`] prints it: markers of this process become SGR sequences, everything
/// that could drive a terminal becomes visible.
pub fn shown(text: &str) -> String {
    neutralise(text, nonce())
}

fn neutralise(text: &str, nonce: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        match c {
            '\n' | '\t' => out.push(c),
            '\r' => {}
            MARK => match our_marker(rest, nonce) {
                Some((params, length)) => {
                    let _ = write!(out, "\x1b[{params}m");
                    rest = &rest[length..];
                }
                None => out.push(c),
            },
            c if is_terminal_control(c) => push_visible(c, &mut out),
            c => out.push(c),
        }
    }
    out
}

/// The byte length of this process's marker at the start of `text`, if one is there.
pub fn marker_len(text: &str) -> Option<usize> {
    let rest = text.strip_prefix(MARK)?;
    our_marker(rest, nonce()).map(|(_, length)| MARK.len_utf8() + length)
}

/// How many terminal columns `text` takes as [`Human`] shows it: our markers and the
/// escape sequences they become take none, a control takes the width of its visible form.
/// A newline or tab counts as nothing (measure one line at a time).
pub fn display_width(text: &str) -> usize {
    use unicode_width::UnicodeWidthChar;
    let mut width = 0;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(length) = marker_len(rest) {
            rest = &rest[length..];
            continue;
        }
        rest = &rest[c.len_utf8()..];
        width += match c {
            '\n' | '\t' | '\r' => 0,
            c if is_terminal_control(c) => {
                let mut visible = String::new();
                push_visible(c, &mut visible);
                visible.len()
            }
            c => c.width().unwrap_or(0),
        };
    }
    width
}

/// After a [`MARK`]: the SGR parameters and the length of the marker's rest, when it carries
/// `nonce`.
fn our_marker<'a>(rest: &'a str, nonce: &str) -> Option<(&'a str, usize)> {
    let after = rest.strip_prefix(nonce)?;
    let end = after.find(|c: char| !(c.is_ascii_digit() || c == ';'))?;
    after[end..]
        .starts_with('m')
        .then(|| (&after[..end], NONCE_LEN + end + 1))
}

/// A writer for people: see the module documentation. Text is passed on a line at a time
/// (and on [`Write::flush`]), so a marker or a character split across writes is seen whole.
pub struct Human<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Human<W> {
    pub fn new(inner: W) -> Human<W> {
        Human {
            inner,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, until: usize) -> io::Result<()> {
        let rest = self.pending.split_off(until);
        let chunk = std::mem::replace(&mut self.pending, rest);
        let clean = neutralise(&String::from_utf8_lossy(&chunk), nonce());
        self.inner.write_all(clean.as_bytes())
    }
}

impl<W: Write> Write for Human<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(last) = memchr::memrchr(b'\n', &self.pending) {
            self.emit(last + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.emit(self.pending.len())?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for Human<W> {
    fn drop(&mut self) {
        // An error here has nowhere to go; callers that care flush first.
        let _ = self.flush();
    }
}

/// Standard error, for people.
pub fn stderr() -> Human<io::StderrLock<'static>> {
    Human::new(io::stderr().lock())
}

/// Prints `jargon: warning: MESSAGE` on standard error.
pub fn warn(message: &str) {
    // A warning that cannot be written (standard error closed) is not worth failing for.
    let _ = writeln!(stderr(), "jargon: warning: {message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_escapes_and_bidi_become_visible_and_newlines_and_tabs_stay() {
        let text = "a\x1b]52;c;aGk=\x07b\u{9b}31m\u{202e}c\r\n\td\u{2066}";
        assert_eq!(
            shown(text),
            "a\\u{1b}]52;c;aGk=\\u{7}b\\u{9b}31m\\u{202e}c\n\td\\u{2066}"
        );
    }

    #[test]
    fn only_markers_with_this_processs_number_become_colours() {
        let ours = format!("{}red{}", sgr("31"), sgr("0"));
        assert_eq!(shown(&ours), "\x1b[31mred\x1b[0m");
        // Somebody else's number, or a cut-off marker, stays text.
        let forged = format!("{MARK}0123456789abcdef31mx");
        assert_eq!(neutralise(&forged, "fedcba9876543210"), forged);
        let cut = format!("{MARK}{}31", nonce());
        assert_eq!(shown(&cut), cut);
    }

    #[test]
    fn the_writer_sees_markers_and_characters_split_across_writes() {
        let marker = sgr("1");
        let text = format!("{marker}bold \u{202e}\n");
        let mut human = Human::new(Vec::new());
        for byte in text.as_bytes() {
            human.write_all(std::slice::from_ref(byte)).unwrap();
        }
        human.flush().unwrap();
        assert_eq!(
            String::from_utf8(std::mem::take(&mut human.inner)).unwrap(),
            "\x1b[1mbold \\u{202e}\n"
        );
    }

    #[test]
    fn display_width_counts_what_is_shown() {
        let text = format!("{}wide 字{} \u{1b}x", sgr("1"), sgr("0"));
        // "wide 字" is 7 columns, the space 1, ESC shows as `\u{1b}` (6), x 1.
        assert_eq!(display_width(&text), 15);
        assert_eq!(marker_len(&sgr("31;1")), Some(sgr("31;1").len()));
        assert_eq!(marker_len("x"), None);
    }

    #[test]
    fn text_without_a_newline_is_written_on_flush() {
        let mut human = Human::new(Vec::new());
        write!(human, "prompt\x07").unwrap();
        assert!(human.inner.is_empty());
        human.flush().unwrap();
        assert_eq!(human.inner, b"prompt\\u{7}");
    }
}

//! How cards and messages look: colour when allowed, wrapping to the terminal width, and
//! card text always passed through [`crate::text::sanitize`]. Colours are markers that only
//! [`crate::output::Human`] turns into escape sequences.
//!
//! Every screen measures and wraps with the helpers here: [`terminal_width`] (how wide the
//! output is), [`display_width`] (columns as shown: markers take none), [`wrap`] (at word
//! boundaries, with indents) and [`truncate`] (with `…`).

use crate::output::{marker_len, sgr};
use crate::text::sanitize;

pub use crate::output::display_width;

/// The narrowest and widest output we lay out for.
const MIN_WIDTH: usize = 20;
const MAX_WIDTH: usize = 120;

/// How many columns a screen may use. On a terminal its width; otherwise (a pipe, a file)
/// `COLUMNS` when it is a number, else 80, so `jargon decks | less` still fits a common
/// terminal. Kept between 20 and 120 columns (longer lines are hard to read).
pub fn terminal_width(is_terminal: bool) -> usize {
    let columns = if is_terminal {
        terminal_size::terminal_size().map(|(w, _)| usize::from(w.0))
    } else {
        None
    }
    .or_else(|| {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&c| c > 0)
    })
    .unwrap_or(80);
    columns.clamp(MIN_WIDTH, MAX_WIDTH)
}

/// One piece of a word: a marker (no columns) or a character.
fn units(word: &str) -> impl Iterator<Item = &str> {
    let mut rest = word;
    std::iter::from_fn(move || {
        let c = rest.chars().next()?;
        let length = marker_len(rest).unwrap_or(c.len_utf8());
        let (unit, tail) = rest.split_at(length);
        rest = tail;
        Some(unit)
    })
}

/// `text` cut to `width` columns as shown, ending in `…` when something was cut. Markers
/// after the cut are kept (they take no room), so a colour still ends.
pub fn truncate(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    let mut full = false;
    for unit in units(text) {
        if marker_len(unit).is_some() {
            out.push_str(unit);
            continue;
        }
        let w = display_width(unit);
        // Room is kept for the ellipsis.
        if full || used + w + 1 > width {
            full = true;
            continue;
        }
        used += w;
        out.push_str(unit);
    }
    if width > 0 {
        // The ellipsis goes right after the last character kept, before trailing markers.
        let cut = out.len() - trailing_markers(&out);
        out.insert(cut, '…');
    }
    out
}

/// The byte length of the markers at the end of `text`.
fn trailing_markers(text: &str) -> usize {
    let mut length = 0;
    for unit in units(text) {
        if marker_len(unit).is_some() {
            length += unit.len();
        } else {
            length = 0;
        }
    }
    length
}

/// `text` wrapped at word boundaries to lines of at most `width` columns as shown (markers
/// take none): the first line starts with `first`, every other one (the continuation of a
/// long line, and each further line of a text that has several) with `rest`. A word longer
/// than a whole line is cut where the line ends. Runs of spaces inside a line are kept;
/// spaces at a break are dropped.
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for (n, source) in text.split('\n').enumerate() {
        let mut line = String::from(if n == 0 { first } else { rest });
        let mut used = display_width(&line);
        let mut empty = true;
        let mut pending_spaces = 0;
        for word in source.split(' ') {
            if word.is_empty() {
                if !empty {
                    pending_spaces += 1;
                }
                continue;
            }
            let gap = if empty { 0 } else { pending_spaces + 1 };
            pending_spaces = 0;
            let w = display_width(word);
            if !empty && used + gap + w > width {
                lines.push(std::mem::replace(&mut line, rest.to_string()));
                used = display_width(rest);
                empty = true;
            } else if !empty {
                line.push_str(&" ".repeat(gap));
                used += gap;
            }
            // A word too long for any line fills the lines it needs.
            for unit in units(word) {
                let uw = display_width(unit);
                if uw > 0 && used + uw > width && !empty {
                    lines.push(std::mem::replace(&mut line, rest.to_string()));
                    used = display_width(rest);
                }
                line.push_str(unit);
                used += uw;
                empty = false;
            }
        }
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Output settings for one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub colour: bool,
    pub width: usize,
}

impl Style {
    pub fn plain() -> Style {
        Style {
            colour: false,
            width: 80,
        }
    }

    /// Colour only on a terminal and never with `NO_COLOR`; lay out for [`terminal_width`].
    pub fn for_terminal(is_terminal: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            colour: is_terminal && !no_color,
            width: terminal_width(is_terminal),
        }
    }

    /// `text` wrapped to this width (see [`wrap`]), as one string.
    pub fn wrap(&self, text: &str, first: &str, rest: &str) -> String {
        wrap(text, self.width, first, rest).join("\n")
    }

    fn paint(&self, code: &'static str, text: &str) -> String {
        if self.colour {
            // Markers that only `output::Human` turns into SGR sequences (see there).
            format!("{}{text}{}", sgr(code), sgr("0"))
        } else {
            text.to_string()
        }
    }

    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    pub fn italic(&self, text: &str) -> String {
        self.paint("3", text)
    }

    pub fn underline(&self, text: &str) -> String {
        self.paint("4", text)
    }

    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    pub fn green(&self, text: &str) -> String {
        self.paint("32", text)
    }

    pub fn yellow(&self, text: &str) -> String {
        self.paint("33", text)
    }

    pub fn red(&self, text: &str) -> String {
        self.paint("31", text)
    }

    pub fn cyan(&self, text: &str) -> String {
        self.paint("36", text)
    }

    /// Deck text, sanitised and wrapped with an indent; the caller may colour the result.
    pub fn block(&self, text: &str, indent: &str) -> String {
        self.wrap(&sanitize(text), indent, indent)
    }
}

/// `4m 12s`, `38s`, `1h 05m`.
pub fn duration(ms: i64) -> String {
    let secs = ms.max(0) / 1000;
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m {:02}s", secs / 60, secs % 60),
        _ => format!("{}h {:02}m", secs / 3600, (secs % 3600) / 60),
    }
}

/// `1 card`, `3 cards`.
pub fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widths(lines: &[String]) -> Vec<usize> {
        lines.iter().map(|l| display_width(l)).collect()
    }

    #[test]
    fn wrap_breaks_at_words_with_indents_and_keeps_every_line_indented() {
        let lines = wrap(
            "one two three four five six\nseven eight",
            14,
            "  def: ",
            "    ",
        );
        assert_eq!(
            lines,
            vec![
                "  def: one two",
                "    three four",
                "    five six",
                "    seven",
                "    eight"
            ]
        );
    }

    #[test]
    fn wrap_cuts_only_words_longer_than_a_line_and_ignores_markers() {
        let lines = wrap("a abcdefghijkl b", 6, "", "");
        assert_eq!(lines, vec!["a", "abcdef", "ghijkl", "b"]);
        let style = Style {
            colour: true,
            width: 10,
        };
        let text = format!("{} {}", style.bold("alpha"), style.red("beta gamma"));
        let lines = wrap(&text, 10, "", "");
        assert_eq!(widths(&lines), vec![10, 5]);
        assert_eq!(
            crate::output::shown(&lines.join("\n")),
            "\x1b[1malpha\x1b[0m \x1b[31mbeta\ngamma\x1b[0m"
        );
    }

    #[test]
    fn truncate_ends_in_an_ellipsis_within_the_width_and_keeps_the_colour_reset() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
        assert_eq!(truncate("字字字字", 5), "字字…");
        let style = Style {
            colour: true,
            width: 80,
        };
        let cut = truncate(&style.red("abcdefg"), 4);
        assert_eq!(display_width(&cut), 4);
        assert_eq!(crate::output::shown(&cut), "\x1b[31mabc…\x1b[0m");
    }
}

//! How cards and messages look: colour when allowed, wrapping to the terminal width, and
//! card text always passed through [`crate::text::sanitize`]. Colours are markers that only
//! [`crate::output::Human`] turns into escape sequences.

use crate::output::sgr;
use crate::text::sanitize;

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

    /// Colour only on a terminal and never with `NO_COLOR`; wrap at the terminal's width.
    pub fn for_terminal(is_terminal: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let width = terminal_size::terminal_size()
            .map(|(w, _)| usize::from(w.0))
            .unwrap_or(80)
            .clamp(20, 120);
        Style {
            colour: is_terminal && !no_color,
            width: if is_terminal { width } else { 80 },
        }
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
        let clean = sanitize(text);
        let options = textwrap::Options::new(self.width.saturating_sub(1).max(20))
            .initial_indent(indent)
            .subsequent_indent(indent);
        clean
            .lines()
            .map(|line| textwrap::fill(line, &options))
            .collect::<Vec<_>>()
            .join("\n")
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

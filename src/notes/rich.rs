//! Styled terminal text: the spans a card shows, and the small builder that
//! turns a stream of text, styles and line breaks into them.
//!
//! The builder collapses HTML whitespace, never piles up more than one blank
//! line, and trims the start and the end, all in one pass.

/// Terminal attributes of a run of text. They come only from HTML tags, never
/// from the text itself.
#[derive(Default, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Style {
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
    pub code: bool,
    /// The cloze deletion being asked or answered.
    pub cloze: bool,
}

/// A run of text with one style. `'\n'` inside `text` is a line break.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Span {
    pub text: String,
    pub style: Style,
}

/// Text rendered for a terminal: spans of styled text.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Rich {
    pub spans: Vec<Span>,
}

impl Rich {
    /// The text without its styles.
    pub fn plain(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }

    /// True when there is no text at all.
    pub fn is_empty(&self) -> bool {
        self.spans.iter().all(|s| s.text.is_empty())
    }
}

/// Builds a [`Rich`] from text pieces: whitespace runs become one space (unless
/// `preserve`), a line break drops the spaces around it, at most two line breaks
/// follow each other, and nothing leads or trails. Breaks and spaces are only
/// written before the next visible text, so the output never ends with them.
#[derive(Default)]
pub(crate) struct Builder {
    spans: Vec<Span>,
    /// A space seen but not yet written.
    pending_space: Option<Style>,
    /// Line breaks asked for but not yet written.
    pending_breaks: usize,
    /// Something visible has been written.
    started: bool,
}

impl Builder {
    pub(crate) fn new() -> Self {
        Builder::default()
    }

    fn write(&mut self, text: &str, style: Style) {
        match self.spans.last_mut() {
            Some(last) if last.style == style => last.text.push_str(text),
            _ => self.spans.push(Span {
                text: text.to_string(),
                style,
            }),
        }
    }

    /// True when the next visible text starts a line.
    pub(crate) fn line_starts(&self) -> bool {
        !self.started || self.pending_breaks > 0
    }

    /// Adds text; whitespace runs are collapsed unless `preserve` (inside
    /// `<pre>`), where `'\n'` stays a line break and spaces stay.
    pub(crate) fn text(&mut self, text: &str, style: Style, preserve: bool) {
        let mut run_start = None;
        for (i, c) in text.char_indices() {
            let blank = if preserve {
                c == '\n'
            } else {
                c.is_ascii_whitespace()
            };
            if !blank {
                run_start.get_or_insert(i);
                continue;
            }
            if let Some(start) = run_start.take() {
                self.visible(&text[start..i], style);
            }
            if preserve {
                self.hard_break();
            } else if !self.line_starts() {
                self.pending_space.get_or_insert(style);
            }
        }
        if let Some(start) = run_start {
            self.visible(&text[start..], style);
        }
    }

    /// Adds text as it is (no whitespace handling); a no-break space becomes a
    /// plain space.
    pub(crate) fn visible(&mut self, text: &str, style: Style) {
        if text.is_empty() {
            return;
        }
        if self.pending_breaks > 0 {
            if self.started {
                let breaks = "\n\n";
                self.write(&breaks[..self.pending_breaks.min(2)], Style::default());
            }
            self.pending_breaks = 0;
            self.pending_space = None;
        }
        if let Some(space_style) = self.pending_space.take() {
            self.write(" ", space_style);
        }
        if text.contains('\u{a0}') {
            self.write(&text.replace('\u{a0}', " "), style);
        } else {
            self.write(text, style);
        }
        self.started = true;
    }

    /// `<br>`: always a line break (two make a blank line; more are capped).
    pub(crate) fn hard_break(&mut self) {
        self.pending_space = None;
        self.pending_breaks += 1;
    }

    /// A block boundary (`<div>`, `<p>`, `<li>`, ...): ends the current line
    /// unless it is already ended.
    pub(crate) fn soft_break(&mut self) {
        self.pending_space = None;
        if self.pending_breaks == 0 {
            self.pending_breaks = 1;
        }
    }

    pub(crate) fn finish(self) -> Rich {
        Rich { spans: self.spans }
    }
}

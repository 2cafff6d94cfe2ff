//! Field HTML -> terminal text ([`Rich`]), in one linear pass.
//!
//! Tags give the styles and the layout; the text is kept as written (the
//! printer neutralises control characters). Unclosed or garbled HTML never
//! panics, and no part of the input is scanned more than a bounded number of
//! times, so megabytes of it stay linear.

use super::rich::{Builder, Rich, Style};
use super::scripts::{subscript, superscript};

/// Renders field HTML for a terminal. See the module documentation.
pub fn html_to_rich(html: &str) -> Rich {
    let mut r = Renderer::new(html);
    r.run();
    r.b.finish()
}

/// One open list: `None` for `<ul>`, `Some(next number)` for `<ol>`.
type List = Option<u64>;

/// Text collected inside `<sup>` or `<sub>`, converted when the tag closes.
struct Script {
    sup: bool,
    text: String,
}

struct Renderer<'a> {
    src: &'a str,
    pos: usize,
    b: Builder,
    bold: u32,
    italic: u32,
    underline: u32,
    code: u32,
    pre: u32,
    /// For each open `<span>`: does it mark the cloze deletion?
    spans: Vec<bool>,
    lists: Vec<List>,
    /// For each open table row: how many cells it has had.
    cells: Vec<usize>,
    script: Option<Script>,
    /// Inside MathJax `\( .. \)` / `\[ .. \]`: tags are ignored, text kept.
    math: bool,
    /// Byte offset after which no MathJax closer exists (so an opener past it
    /// stays text); computed once.
    last_math_close: Option<usize>,
    /// Offset past which no `>` exists: a `<` there is text (no rescans).
    no_gt_from: usize,
}

/// A parsed tag: its lowercase name, whether it closes, and the raw attributes.
struct Tag<'a> {
    name: String,
    closing: bool,
    attrs: &'a str,
}

impl<'a> Renderer<'a> {
    fn new(src: &'a str) -> Self {
        let last_math_close = [src.rfind("\\)"), src.rfind("\\]")]
            .into_iter()
            .flatten()
            .max();
        Renderer {
            src,
            pos: 0,
            b: Builder::new(),
            bold: 0,
            italic: 0,
            underline: 0,
            code: 0,
            pre: 0,
            spans: Vec::new(),
            lists: Vec::new(),
            cells: Vec::new(),
            script: None,
            math: false,
            last_math_close,
            no_gt_from: usize::MAX,
        }
    }

    fn style(&self) -> Style {
        Style {
            bold: self.bold > 0,
            italic: self.italic > 0,
            underline: self.underline > 0,
            code: self.code > 0,
            cloze: self.spans.iter().any(|&c| c) && !self.math,
        }
    }

    fn run(&mut self) {
        while self.pos < self.src.len() {
            let rest = &self.src[self.pos..];
            let next_lt = memchr_lt(rest);
            if next_lt > 0 {
                self.text(self.pos, self.pos + next_lt);
                self.pos += next_lt;
                continue;
            }
            self.markup();
        }
        self.flush_script();
    }

    /// At a `<`: a comment, a tag, or a plain `<` character.
    fn markup(&mut self) {
        let rest = &self.src[self.pos..];
        if let Some(body) = rest.strip_prefix("<!--") {
            self.pos += 4 + body.find("-->").map_or(body.len(), |i| i + 3);
            return;
        }
        let starts_tag = rest[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        let gt = if starts_tag && self.pos < self.no_gt_from {
            rest.find('>')
        } else {
            None
        };
        let Some(gt) = gt else {
            if starts_tag {
                self.no_gt_from = self.pos;
            }
            self.text(self.pos, self.pos + 1);
            self.pos += 1;
            return;
        };
        let tag = parse_tag(&rest[1..gt]);
        self.pos += gt + 1;
        if !tag.closing && (tag.name == "script" || tag.name == "style") {
            self.skip_raw(&tag.name);
        } else if !self.math {
            self.tag(&tag);
        }
    }

    /// Skips the content of `<script>`/`<style>` up to its closing tag (all
    /// of the rest when it is not closed).
    fn skip_raw(&mut self, name: &str) {
        let rest = &self.src[self.pos..];
        let mut from = 0;
        while let Some(i) = rest[from..].find("</") {
            let at = from + i + 2;
            let candidate = rest.as_bytes().get(at..at + name.len());
            if candidate.is_some_and(|c| c.eq_ignore_ascii_case(name.as_bytes())) {
                let gt = rest[at..].find('>').map_or(rest.len(), |j| at + j + 1);
                self.pos += gt;
                return;
            }
            from = at;
        }
        self.pos = self.src.len();
    }

    /// Text between tags: MathJax delimiters tracked on the raw text, each
    /// piece's entities decoded.
    fn text(&mut self, start: usize, end: usize) {
        let mut from = start;
        while from < end {
            let raw = &self.src[from..end];
            let delim = if self.math {
                find_math_close(raw)
            } else {
                find_math_open(raw)
            };
            let Some(i) = delim else {
                self.emit_raw(raw);
                return;
            };
            let at = from + i;
            let toggles = self.math || self.last_math_close.is_some_and(|c| c > at + 1);
            self.emit_raw(&self.src[from..at + 2]);
            if toggles {
                self.math = !self.math;
            }
            from = at + 2;
        }
    }

    fn emit_raw(&mut self, raw: &str) {
        let decoded = html_escape::decode_html_entities(raw);
        self.emit(&decoded);
    }

    fn emit(&mut self, text: &str) {
        if let Some(script) = &mut self.script {
            script.text.push_str(text);
            return;
        }
        let style = self.style();
        let preserve = self.pre > 0;
        if text.contains("[sound:") {
            self.b
                .text(&text.replace("[sound:", "[sound: "), style, preserve);
        } else {
            self.b.text(text, style, preserve);
        }
    }

    fn tag(&mut self, tag: &Tag<'_>) {
        let open = !tag.closing;
        let step = |n: &mut u32| {
            if open {
                *n += 1
            } else {
                *n = n.saturating_sub(1)
            }
        };
        match tag.name.as_str() {
            "b" | "strong" => step(&mut self.bold),
            "i" | "em" => step(&mut self.italic),
            "u" | "ins" => step(&mut self.underline),
            "code" | "kbd" | "samp" | "tt" => step(&mut self.code),
            "pre" => {
                self.b.soft_break();
                step(&mut self.code);
                step(&mut self.pre);
            }
            "span" if open => self.spans.push(is_cloze_class(tag.attrs)),
            "span" => {
                self.spans.pop();
            }
            "br" => self.b.hard_break(),
            "ul" | "ol" => self.list(tag),
            "li" => self.item(open),
            "tr" => self.row(open),
            "td" | "th" if open => self.cell(),
            "sup" | "sub" => self.script(tag),
            "img" if open => self.image(tag.attrs),
            "div" | "p" | "hr" | "table" | "thead" | "tbody" | "tfoot" | "blockquote" | "h1"
            | "h2" | "h3" | "h4" | "h5" | "h6" | "dl" | "dt" | "dd" | "section" | "article"
            | "header" | "footer" | "figure" | "figcaption" | "center" | "address" => {
                self.b.soft_break()
            }
            _ => {}
        }
    }

    fn list(&mut self, tag: &Tag<'_>) {
        self.b.soft_break();
        if tag.closing {
            self.lists.pop();
        } else {
            self.lists.push((tag.name == "ol").then_some(1));
        }
    }

    fn item(&mut self, open: bool) {
        self.b.soft_break();
        if !open {
            return;
        }
        let depth = self.lists.len().saturating_sub(1);
        let marker = match self.lists.last_mut() {
            Some(Some(n)) => {
                let m = format!("{n}. ");
                *n += 1;
                m
            }
            _ => "• ".to_string(),
        };
        let indent = "  ".repeat(depth.min(16));
        self.b
            .visible(&format!("{indent}{marker}"), Style::default());
    }

    fn row(&mut self, open: bool) {
        self.b.soft_break();
        if open {
            self.cells.push(0);
        } else {
            self.cells.pop();
        }
    }

    fn cell(&mut self) {
        if let Some(n) = self.cells.last_mut() {
            *n += 1;
            if *n > 1 {
                self.b.visible(" | ", Style::default());
            }
        }
    }

    fn script(&mut self, tag: &Tag<'_>) {
        if tag.closing {
            self.flush_script();
        } else if self.script.is_none() {
            self.script = Some(Script {
                sup: tag.name == "sup",
                text: String::new(),
            });
        }
    }

    /// Writes collected `<sup>`/`<sub>` text: Unicode script characters when
    /// every character has one, else `^(..)` / `_(..)`.
    fn flush_script(&mut self) {
        let Some(script) = self.script.take() else {
            return;
        };
        let text = script.text.trim();
        if text.is_empty() {
            return;
        }
        let map = if script.sup { superscript } else { subscript };
        let converted: Option<String> = text.chars().map(map).collect();
        let shown = match converted {
            Some(s) => s,
            None if script.sup => format!("^({text})"),
            None => format!("_({text})"),
        };
        let style = self.style();
        self.b.visible(&shown, style);
    }

    fn image(&mut self, attrs: &str) {
        let src = attr(attrs, "src").unwrap_or_default();
        let src = html_escape::decode_html_entities(&src).into_owned();
        let style = self.style();
        if let Some(script) = &mut self.script {
            script.text.push_str(&format!("[image: {src}]"));
        } else {
            self.b.visible(&format!("[image: {src}]"), style);
        }
    }
}

fn memchr_lt(s: &str) -> usize {
    s.as_bytes()
        .iter()
        .position(|&b| b == b'<')
        .unwrap_or(s.len())
}

fn find_math_open(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(1))
        .find(|&i| b[i] == b'\\' && (b[i + 1] == b'(' || b[i + 1] == b'['))
}

fn find_math_close(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(1))
        .find(|&i| b[i] == b'\\' && (b[i + 1] == b')' || b[i + 1] == b']'))
}

/// Splits `name attrs` or `/name`; the name is lowercased.
fn parse_tag(inner: &str) -> Tag<'_> {
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let end = inner
        .find(|c: char| c.is_ascii_whitespace() || c == '/')
        .unwrap_or(inner.len());
    Tag {
        name: inner[..end].to_ascii_lowercase(),
        closing,
        attrs: &inner[end..],
    }
}

/// The value of attribute `name` (quoted or not), raw.
pub(crate) fn attr(attrs: &str, name: &str) -> Option<String> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphanumeric();
        let rest = attrs[from..].trim_start();
        let Some(value) = rest.strip_prefix('=').filter(|_| before_ok) else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next().filter(|&q| q == '"' || q == '\'');
        return Some(match quote {
            Some(q) => value[1..].split(q).next().unwrap_or_default().to_string(),
            None => value
                .split(|c: char| c.is_ascii_whitespace())
                .next()
                .unwrap_or_default()
                .to_string(),
        });
    }
    None
}

/// `class="cloze"` (one of the classes), as Anki marks the active deletion.
fn is_cloze_class(attrs: &str) -> bool {
    attr(attrs, "class").is_some_and(|c| c.split_ascii_whitespace().any(|c| c == "cloze"))
}

//! Anki's card template language: parsing, "does this front render?" and
//! rendering to HTML.
//!
//! `{{Field}}`, `{{filter:..:Field}}` (filters apply right to left, the field
//! name is after the last `:`), `{{#Field}}..{{/Field}}`,
//! `{{^Field}}..{{/Field}}`, `{{FrontSide}}`; comments `<!-- -->` are dropped.
//! Unlike Anki this never fails: an unknown field renders nothing, an unknown
//! filter leaves the text as it is, a stray `{{/X}}` is ignored and unclosed
//! sections close at the end.

use std::collections::{HashMap, HashSet};

use super::cloze;
use super::html::html_to_rich;

/// Sections nested deeper than this are flattened (their markers ignored).
const MAX_DEPTH: usize = 64;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Node {
    Text(String),
    /// `{{a:b:Key}}`: `filters` in the order they apply (`b`, then `a`).
    Field {
        key: String,
        filters: Vec<String>,
    },
    Section {
        key: String,
        negated: bool,
        children: Vec<Node>,
    },
}

/// One lexical piece of a template.
enum Token<'a> {
    Text(&'a str),
    Handle(&'a str),
}

/// Splits a template into text and `{{..}}` handles; comments are dropped.
fn tokens(template: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut text_start = 0;
    let (mut no_close, mut no_comment_end) = (false, false);
    while pos < template.len() {
        let rest = &template[pos..];
        let found = if rest.starts_with("{{") && !no_close {
            let end = rest[2..].find("}}");
            no_close = end.is_none();
            end.map(|e| (Some(&rest[2..2 + e]), e + 4))
        } else if rest.starts_with("<!--") && !no_comment_end {
            let end = rest[4..].find("-->");
            no_comment_end = end.is_none();
            end.map(|e| (None, e + 7))
        } else {
            None
        };
        let Some((handle, len)) = found else {
            pos += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        if text_start < pos {
            out.push(Token::Text(&template[text_start..pos]));
        }
        if let Some(h) = handle {
            out.push(Token::Handle(h));
        }
        pos += len;
        text_start = pos;
    }
    if text_start < template.len() {
        out.push(Token::Text(&template[text_start..]));
    }
    out
}

/// Parses a template into nodes (never fails).
pub(crate) fn parse(template: &str) -> Vec<Node> {
    // open sections: (key, negated, nodes before it)
    let mut stack: Vec<(String, bool, Vec<Node>)> = Vec::new();
    let mut nodes: Vec<Node> = Vec::new();
    for token in tokens(template) {
        let handle = match token {
            Token::Text(t) => {
                nodes.push(Node::Text(t.to_string()));
                continue;
            }
            Token::Handle(h) => h.trim_start_matches('{').trim(),
        };
        let (kind, name) = match handle.chars().next() {
            Some(c @ ('#' | '^' | '/')) if handle.len() >= 2 => (c, handle[1..].trim_start()),
            _ => (' ', handle),
        };
        match kind {
            '#' | '^' if stack.len() < MAX_DEPTH => {
                let outer = std::mem::take(&mut nodes);
                stack.push((name.to_string(), kind == '^', outer));
            }
            '#' | '^' => {}
            '/' => {
                if let Some(depth) = stack.iter().rposition(|(k, _, _)| k == name) {
                    while stack.len() > depth {
                        close_section(&mut stack, &mut nodes);
                    }
                }
            }
            _ => {
                let mut parts = name.rsplit(':');
                let key = parts.next().unwrap_or_default().to_string();
                nodes.push(Node::Field {
                    key,
                    filters: parts.map(str::to_string).collect(),
                });
            }
        }
    }
    while !stack.is_empty() {
        close_section(&mut stack, &mut nodes);
    }
    nodes
}

fn close_section(stack: &mut Vec<(String, bool, Vec<Node>)>, nodes: &mut Vec<Node>) {
    if let Some((key, negated, outer)) = stack.pop() {
        let children = std::mem::replace(nodes, outer);
        nodes.push(Node::Section {
            key,
            negated,
            children,
        });
    }
}

/// Anki's rule for whether a card exists: the front is non-empty when some
/// field it shows (outside sections that would be hidden) is non-empty.
pub(crate) fn renders_with(nodes: &[Node], nonempty: &HashSet<&str>) -> bool {
    nodes.iter().any(|node| match node {
        Node::Text(_) => false,
        Node::Field { key, .. } => nonempty.contains(key.as_str()),
        Node::Section {
            key,
            negated,
            children,
        } => nonempty.contains(key.as_str()) != *negated && renders_with(children, nonempty),
    })
}

/// The names of the fields shown through `{{cloze:F}}`.
pub(crate) fn cloze_fields(nodes: &[Node], out: &mut Vec<String>) {
    for node in nodes {
        match node {
            Node::Field { key, filters } if filters.iter().any(|f| f == "cloze") => {
                out.push(key.clone())
            }
            Node::Section { children, .. } => cloze_fields(children, out),
            _ => {}
        }
    }
}

/// Anki's "empty field": only whitespace and `<br>`/`<div>` tags (any case,
/// `</div>`, `<br/>`, `<div />`).
pub(crate) fn field_is_empty(text: &str) -> bool {
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '\u{b}');
        if rest.is_empty() {
            return true;
        }
        let Some(tag) = rest.strip_prefix('<') else {
            return false;
        };
        let tag = tag.strip_prefix('/').unwrap_or(tag);
        let name_len = if tag.get(..2).is_some_and(|n| n.eq_ignore_ascii_case("br")) {
            2
        } else if tag.get(..3).is_some_and(|n| n.eq_ignore_ascii_case("div")) {
            3
        } else {
            return false;
        };
        let tag = &tag[name_len..];
        let tag = tag.strip_prefix(' ').unwrap_or(tag);
        let tag = tag.strip_prefix('/').unwrap_or(tag);
        match tag.strip_prefix('>') {
            Some(after) => rest = after,
            None => return false,
        }
    }
}

/// What a template is rendered with.
pub(crate) struct Env<'a> {
    /// Field values by name, special fields (Tags, Deck, ..) included.
    pub values: HashMap<&'a str, &'a str>,
    pub nonempty: HashSet<&'a str>,
    /// The card number a cloze shows (card ordinal + 1).
    pub cloze_n: u32,
    pub question: bool,
    /// The rendered front, for `{{FrontSide}}` on the answer.
    pub front: &'a str,
}

/// Renders `nodes` to HTML; the first `{{type:..}}` seen sets `typed` (the
/// expected answer as HTML) and every one renders nothing.
pub(crate) fn render(nodes: &[Node], env: &Env<'_>, out: &mut String, typed: &mut Option<String>) {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Field { key, .. } if key == "FrontSide" => {
                if !env.question {
                    out.push_str(env.front);
                }
            }
            Node::Field { key, filters } => field(key, filters, env, out, typed),
            Node::Section {
                key,
                negated,
                children,
            } => {
                if env.nonempty.contains(key.as_str()) != *negated {
                    render(children, env, out, typed);
                }
            }
        }
    }
}

fn field(
    key: &str,
    filters: &[String],
    env: &Env<'_>,
    out: &mut String,
    typed: &mut Option<String>,
) {
    let Some(&value) = env.values.get(key) else {
        return;
    };
    let names: Vec<&str> = filters.iter().map(String::as_str).collect();
    match names.as_slice() {
        ["cloze", "type"] => {
            typed.get_or_insert_with(|| cloze::typed_answer(value, env.cloze_n));
            return;
        }
        [.., "type"] => {
            typed.get_or_insert_with(|| value.to_string());
            return;
        }
        _ => {}
    }
    let mut text = value.to_string();
    for name in names {
        text = match name {
            "text" => html_escape::encode_text(&html_to_rich(&text).plain()).into_owned(),
            "cloze" => cloze::reveal(&text, env.cloze_n, env.question),
            "cloze-only" => cloze::only(&text, env.cloze_n, env.question),
            // hint, furigana, tts, "" and unknown filters: the text as it is
            _ => text,
        };
    }
    out.push_str(&text);
}

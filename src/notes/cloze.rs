//! Cloze deletions, `{{c1::text}}` and `{{c1::text::hint}}`, as Anki reads them.
//!
//! Anki's rules (from its `rslib/src/cloze.rs`, re-implemented here): an
//! opening marker is `{{c` + numbers separated by commas + `::`, a closing one
//! is `}}`; deletions nest (at most ten open, further openings are dropped); a
//! `::` in a deletion's text starts its hint; a `}}` outside any deletion is
//! text; deletions still open at the end are dropped with their content; the
//! number 0 never makes a card. On the question of card `n` a deletion holding
//! `n` shows `[hint]` or `[...]` and hides what is inside it, on the answer it
//! shows its text; other deletions show their text. Without any deletion
//! numbered `n` the field renders empty.

use std::collections::BTreeSet;

/// The most deletions open at once; Anki drops deeper openings.
const MAX_OPEN: usize = 10;

/// A parsed piece of a field: plain text or a deletion.
#[derive(Debug)]
enum Node<'a> {
    Text(&'a str),
    Cloze(Deletion<'a>),
}

#[derive(Debug)]
struct Deletion<'a> {
    /// The numbers as written (`{{c1,2::..}}` has two), sorted, deduplicated.
    ords: Vec<u16>,
    nodes: Vec<Node<'a>>,
    hint: Option<&'a str>,
}

impl Deletion<'_> {
    fn active(&self, n: u16) -> bool {
        self.ords.contains(&n)
    }

    /// The deletion's text with every inner deletion revealed.
    fn text(&self, out: &mut String) {
        for node in &self.nodes {
            match node {
                Node::Text(t) => out.push_str(t),
                Node::Cloze(d) => d.text(out),
            }
        }
    }
}

/// At `s`: `{{c<numbers>::`? Returns the numbers and the marker's length.
fn open_marker(s: &str) -> Option<(Vec<u16>, usize)> {
    let rest = s.strip_prefix("{{c")?;
    let digits = rest
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b',')
        .count();
    if !rest[digits..].starts_with("::") {
        return None;
    }
    let ords: BTreeSet<u16> = rest[..digits]
        .split(',')
        .filter_map(|n| n.parse().ok())
        .collect();
    if ords.is_empty() {
        return None;
    }
    Some((ords.into_iter().collect(), 3 + digits + 2))
}

/// Parses a field into text and (nested) deletions, in one pass.
fn parse(text: &str) -> Vec<Node<'_>> {
    let mut open: Vec<Deletion<'_>> = Vec::new();
    let mut out: Vec<Node<'_>> = Vec::new();
    let mut pos = 0;
    let mut text_start = 0;
    while pos < text.len() {
        let rest = &text[pos..];
        let marker = if rest.starts_with("}}") {
            Some((None, 2))
        } else {
            open_marker(rest).map(|(ords, len)| (Some(ords), len))
        };
        let Some((ords, len)) = marker else {
            pos += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        push_text(&mut open, &mut out, &text[text_start..pos]);
        match ords {
            Some(ords) if open.len() < MAX_OPEN => open.push(Deletion {
                ords,
                nodes: Vec::with_capacity(1),
                hint: None,
            }),
            Some(_) => {}
            None => match open.pop() {
                Some(done) => match open.last_mut() {
                    Some(outer) => outer.nodes.push(Node::Cloze(done)),
                    None => out.push(Node::Cloze(done)),
                },
                None => out.push(Node::Text("}}")),
            },
        }
        pos += len;
        text_start = pos;
    }
    push_text(&mut open, &mut out, &text[text_start..]);
    out
}

/// Text goes into the innermost open deletion (where `::` starts the hint) or
/// to the top level.
fn push_text<'a>(open: &mut [Deletion<'a>], out: &mut Vec<Node<'a>>, mut text: &'a str) {
    if text.is_empty() {
        return;
    }
    match open.last_mut() {
        Some(d) => {
            let split = text
                .split_once("::")
                .filter(|_| !text.starts_with("image-occlusion:"));
            if let Some((head, hint)) = split {
                text = head;
                d.hint = Some(hint);
            }
            d.nodes.push(Node::Text(text));
        }
        None => out.push(Node::Text(text)),
    }
}

/// The cloze numbers used in `text` (0 excluded), nested deletions included.
pub fn cloze_numbers(text: &str) -> BTreeSet<u32> {
    fn walk(nodes: &[Node<'_>], set: &mut BTreeSet<u32>) {
        for node in nodes {
            if let Node::Cloze(d) = node {
                set.extend(d.ords.iter().filter(|&&n| n != 0).map(|&n| u32::from(n)));
                walk(&d.nodes, set);
            }
        }
    }
    let mut set = BTreeSet::new();
    walk(&parse(text), &mut set);
    set
}

/// The field as card `n` (1-based) shows it, as HTML: the active deletion is
/// wrapped in `<span class="cloze">`. Empty when no deletion holds `n`.
pub(crate) fn reveal(text: &str, n: u32, question: bool) -> String {
    let Ok(n) = u16::try_from(n) else {
        return String::new();
    };
    let mut out = String::with_capacity(text.len() + 32);
    let mut found = false;
    for node in &parse(text) {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Cloze(d) => reveal_one(d, n, question, &mut found, &mut out),
        }
    }
    if found { out } else { String::new() }
}

fn reveal_one(d: &Deletion<'_>, n: u16, question: bool, found: &mut bool, out: &mut String) {
    let active = d.active(n);
    *found |= active;
    if active && question {
        // inner deletions are hidden too, but may be the active one
        let mut hidden = String::new();
        reveal_children(d, n, question, found, &mut hidden);
        out.push_str("<span class=\"cloze\">[");
        out.push_str(d.hint.unwrap_or("..."));
        out.push_str("]</span>");
        return;
    }
    if active {
        out.push_str("<span class=\"cloze\">");
    }
    reveal_children(d, n, question, found, out);
    if active {
        out.push_str("</span>");
    }
}

fn reveal_children(d: &Deletion<'_>, n: u16, question: bool, found: &mut bool, out: &mut String) {
    for node in &d.nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Cloze(inner) => reveal_one(inner, n, question, found, out),
        }
    }
}

/// The texts (answer side) of every deletion holding `n`, outer first.
fn active_texts(text: &str, n: u32) -> Vec<String> {
    fn walk(nodes: &[Node<'_>], n: u16, out: &mut Vec<String>) {
        for node in nodes {
            if let Node::Cloze(d) = node {
                if d.active(n) {
                    let mut s = String::new();
                    d.text(&mut s);
                    out.push(s);
                }
                walk(&d.nodes, n, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(n) = u16::try_from(n) {
        walk(&parse(text), n, &mut out);
    }
    out
}

/// `{{type:cloze:F}}`: the expected answer for card `n`, as HTML: the active
/// deletions' texts, one when they are all the same, else joined by ", ".
pub(crate) fn typed_answer(text: &str, n: u32) -> String {
    let texts = active_texts(text, n);
    match texts.first() {
        Some(first) if texts.iter().all(|t| t == first) => first.clone(),
        _ => texts.join(", "),
    }
}

/// `{{cloze-only:F}}`: the active deletions alone (hints on the question).
pub(crate) fn only(text: &str, n: u32, question: bool) -> String {
    if !question {
        return active_texts(text, n).join(", ");
    }
    fn walk(nodes: &[Node<'_>], n: u16, out: &mut Vec<String>) {
        for node in nodes {
            if let Node::Cloze(d) = node {
                if d.active(n) {
                    out.push(d.hint.unwrap_or("...").to_string());
                }
                walk(&d.nodes, n, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(n) = u16::try_from(n) {
        walk(&parse(text), n, &mut out);
    }
    out.join(", ")
}

//! The media a field's HTML references: `<img src=...>` (and `<audio src>`, `<object data>`,
//! which Anki reads too) and `[sound:...]`, found by a small
//! scanner over the text (no HTML parser), and rewritten in place when a file is stored under
//! another name. Everything but the referenced names stays byte for byte.

use std::borrow::Cow;

/// Where a reference's name sits in the HTML, as written (entities not yet decoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
    form: Form,
}

/// How the name was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// An `src` attribute, quoted with this character, or unquoted.
    Src(Option<u8>),
    /// The inside of `[sound:...]`.
    Sound,
}

/// The media names `html` references, in order of first appearance, each once: the `src` of
/// every `<img>` tag (single, double or no quotes, any case; entities decoded), the `src` of
/// `<audio>` and the `data` of `<object>`, and the inside of every `[sound:...]`. URLs (`http:`, `https:`, `data:`) and empty names are not media.
pub fn references(html: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for span in spans(html) {
        let name = decode_entities(&html[span.start..span.end]);
        if is_local(&name) && !names.iter().any(|n| *n == name) {
            names.push(name.into_owned());
        }
    }
    names
}

/// `html` with every reference to `from` (in a media tag or `[sound:]`) pointing at `to`
/// instead; nothing else changes. `to` is written with the entities its place needs.
pub fn rewrite_reference(html: &str, from: &str, to: &str) -> String {
    rewrite_references(html, |name| (name == from).then_some(to))
}

/// `html` with every reference whose name `renamed` maps to another pointing at that one,
/// in one pass (so a new name that is another reference's old name is not renamed again);
/// nothing else changes.
pub fn rewrite_references<'n>(html: &str, renamed: impl Fn(&str) -> Option<&'n str>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    for span in spans(html) {
        let Some(to) = renamed(&decode_entities(&html[span.start..span.end])) else {
            continue;
        };
        out.push_str(&html[copied..span.start]);
        match span.form {
            Form::Src(Some(quote)) => out.push_str(&encode(to, Some(quote))),
            Form::Src(None) if needs_quotes(to) => {
                out.push('"');
                out.push_str(&encode(to, Some(b'"')));
                out.push('"');
            }
            Form::Src(None) | Form::Sound => out.push_str(&encode(to, None)),
        }
        copied = span.end;
    }
    out.push_str(&html[copied..]);
    out
}

/// Whether a referenced name names a file of the folder rather than a URL.
fn is_local(name: &str) -> bool {
    let lower = name.trim_start().to_ascii_lowercase();
    !lower.trim_end().is_empty()
        && !["http:", "https:", "data:"]
            .iter()
            .any(|scheme| lower.starts_with(scheme))
}

/// Every reference in `html`, in order.
fn spans(html: &str) -> Vec<Span> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = bytes[at..].iter().position(|&b| b == b'<' || b == b'[') {
        let start = at + offset;
        at = start + 1;
        if bytes[start] == b'[' {
            if let Some(span) = sound_at(html, start) {
                at = span.end + 1;
                found.push(span);
            }
        } else if let Some((span, end)) = media_tag_at(bytes, start) {
            found.extend(span);
            at = end;
        }
    }
    found
}

/// The `[sound:name]` starting at `start`, if one does.
fn sound_at(html: &str, start: usize) -> Option<Span> {
    const OPEN: &str = "[sound:";
    if !html[start..].starts_with(OPEN) {
        return None;
    }
    let inner = start + OPEN.len();
    let close = html[inner..].find(']')? + inner;
    Some(Span {
        start: inner,
        end: close,
        form: Form::Sound,
    })
}

/// The tags whose attribute names a media file, as Anki reads them.
const MEDIA_TAGS: [(&[u8], &[u8]); 3] =
    [(b"img", b"src"), (b"audio", b"src"), (b"object", b"data")];

/// The media tag (`<img>`, `<audio>`, `<object>`) starting at `start`, if one does: the
/// first of its file attribute (as browsers take it) and the offset past the tag.
fn media_tag_at(bytes: &[u8], start: usize) -> Option<(Option<Span>, usize)> {
    let (name_end, wanted) = MEDIA_TAGS.iter().find_map(|(tag, attribute)| {
        let name_end = start + 1 + tag.len();
        let name = bytes.get(start + 1..name_end)?;
        let follows = bytes.get(name_end)?;
        (name.eq_ignore_ascii_case(tag)
            && (follows.is_ascii_whitespace() || matches!(follows, b'/' | b'>')))
        .then_some((name_end, *attribute))
    })?;
    let mut at = name_end;
    let mut src = None;
    loop {
        while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b'/') {
            at += 1;
        }
        if at >= bytes.len() || bytes[at] == b'>' {
            return Some((src, (at + 1).min(bytes.len())));
        }
        let name_start = at;
        while at < bytes.len()
            && !matches!(bytes[at], b'=' | b'>')
            && !bytes[at].is_ascii_whitespace()
        {
            at += 1;
        }
        let attribute = &bytes[name_start..at];
        let after_name = at;
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if bytes.get(at) != Some(&b'=') {
            at = after_name;
            continue;
        }
        at += 1;
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let value = attribute_value(bytes, at);
        if src.is_none() && attribute.eq_ignore_ascii_case(wanted) {
            src = Some(value.0);
        }
        at = value.1;
    }
}

/// The attribute value starting at `at` and the offset past it (past its closing quote).
fn attribute_value(bytes: &[u8], at: usize) -> (Span, usize) {
    match bytes.get(at) {
        Some(&quote @ (b'"' | b'\'')) => {
            let start = at + 1;
            let end = bytes[start..]
                .iter()
                .position(|&b| b == quote)
                .map_or(bytes.len(), |i| start + i);
            let span = Span {
                start,
                end,
                form: Form::Src(Some(quote)),
            };
            (span, (end + 1).min(bytes.len()))
        }
        _ => {
            let end = bytes[at..]
                .iter()
                .position(|&b| b == b'>' || b.is_ascii_whitespace())
                .map_or(bytes.len(), |i| at + i);
            let span = Span {
                start: at,
                end,
                form: Form::Src(None),
            };
            (span, end)
        }
    }
}

/// Decodes the character references of `text`: the named ones a file name may hold (`&amp;`,
/// `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`) and every numeric one; a no-break space
/// becomes a plain space, as Anki reads names. Anything else stays.
pub(super) fn decode_entities(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match entity(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The character `text` (starting with `&`) references and the reference's length.
fn entity(text: &str) -> Option<(char, usize)> {
    let semicolon = text.get(..12).unwrap_or(text).find(';')?;
    let body = &text[1..semicolon];
    let c = match body {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let number = body.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            match char::from_u32(code)? {
                '\u{a0}' => ' ',
                c => c,
            }
        }
    };
    Some((c, semicolon + 1))
}

/// `name` with the characters its place cannot hold as they are written as references: `&`
/// everywhere, `<` and `>` in text, and the quote of a quoted attribute.
fn encode(name: &str, quote: Option<u8>) -> Cow<'_, str> {
    let special = |c: char| match quote {
        Some(q) => c == '&' || c == char::from(q),
        None => matches!(c, '&' | '<' | '>'),
    };
    if !name.contains(special) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' if quote.is_none() => out.push_str("&lt;"),
            '>' if quote.is_none() => out.push_str("&gt;"),
            '"' if quote == Some(b'"') => out.push_str("&quot;"),
            '\'' if quote == Some(b'\'') => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Whether an unquoted attribute value cannot hold `name` as it is.
fn needs_quotes(name: &str) -> bool {
    name.is_empty()
        || name.contains(|c: char| {
            c.is_ascii_whitespace() || matches!(c, '"' | '\'' | '=' | '<' | '>' | '`' | '&')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field as Anki's editor writes it, with a little of everything.
    const FIELD: &str = concat!(
        "<div><b>Mitochondrion</b></div>",
        "<div><img src=\"cell.png\"><br><IMG SRC='organelle diagram.jpg' width=\"200\"></div>",
        "[sound:mito.mp3] <img alt=\"x\" src=https://example.com/a.png>",
        "<img class=big src=\"Q&amp;A.png\"/><img src=cell.png>",
        "<img src=\"data:image/png;base64,iVBOR\"> [sound:answer &amp; more.ogg]",
        "<imgx src=\"no.png\"> <img data-src=\"lazy.png\" src = 'late.gif' >[sound:]",
        "<audio controls src=\"talk.m4a\"></audio><object data=Diagram.svg></object>",
        "<p>a&nbsp;b</p><img src=\"two&nbsp;words.png\"><video src=\"clip.mp4\">",
    );

    #[test]
    fn references_come_in_order_each_once() {
        assert_eq!(
            references(FIELD),
            [
                "cell.png",
                "organelle diagram.jpg",
                "mito.mp3",
                "Q&A.png",
                "answer & more.ogg",
                "late.gif",
                "talk.m4a",
                "Diagram.svg",
                "two words.png",
            ]
        );
    }

    #[test]
    fn plain_text_and_broken_tags_reference_nothing() {
        assert!(references("no media here [sound] <b>img</b> <img>").is_empty());
        assert_eq!(
            references("<img src=\"unterminated.png"),
            ["unterminated.png"]
        );
        assert_eq!(references("[sound:open.mp3"), Vec::<String>::new());
        assert_eq!(references("<img src=&#x61;&#98;.png>"), ["ab.png"]);
        assert_eq!(references("<img src=\"a&b&zz;.png\">"), ["a&b&zz;.png"]);
        assert!(references("<img src=\" HTTPS://x/y.png\"><img src=\"  \">").is_empty());
    }

    #[test]
    fn a_rewrite_changes_the_name_in_both_forms_and_nothing_else() {
        let html = "<img src=\"cell.png\"> [sound:cell.png] <IMG SRC=cell.png class=x> cell.png <img src='other.png'>";
        assert_eq!(
            rewrite_reference(html, "cell.png", "cell-1a2b3c4d.png"),
            "<img src=\"cell-1a2b3c4d.png\"> [sound:cell-1a2b3c4d.png] <IMG SRC=cell-1a2b3c4d.png class=x> cell.png <img src='other.png'>"
        );
    }

    #[test]
    fn a_rewrite_writes_the_entities_the_place_needs() {
        let html = "<img src=\"Q&amp;A.png\"><img src='Q&amp;A.png'><img src=Q&amp;A.png>[sound:Q&amp;A.png]";
        assert_eq!(
            rewrite_reference(html, "Q&A.png", "it's \"Q&A\".png"),
            concat!(
                "<img src=\"it's &quot;Q&amp;A&quot;.png\">",
                "<img src='it&#39;s \"Q&amp;A\".png'>",
                "<img src=\"it's &quot;Q&amp;A&quot;.png\">",
                "[sound:it's \"Q&amp;A\".png]",
            )
        );
        // A name missing from the field: the same text.
        assert_eq!(rewrite_reference(FIELD, "absent.png", "x.png"), FIELD);
    }

    #[test]
    fn a_rewritten_field_references_the_new_name_where_the_old_one_was() {
        let rewritten = rewrite_reference(FIELD, "Q&A.png", "Q&A-00ff00ff.png");
        let mut expected = references(FIELD);
        expected[3] = "Q&A-00ff00ff.png".to_string();
        assert_eq!(references(&rewritten), expected);
        assert_eq!(
            rewrite_reference("<audio src=a.m4a><object data=\"a.m4a\">", "a.m4a", "b.m4a"),
            "<audio src=b.m4a><object data=\"b.m4a\">"
        );
    }
}

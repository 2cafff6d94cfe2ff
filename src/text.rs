//! PURE text helpers: making deck text safe to print, writing JSON that is safe to print, and
//! folding text for comparison.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Neutralises control characters and escape sequences so card text cannot drive the
/// terminal: ESC, C0/C1 controls and bidirectional overrides become visible `\u{..}` forms;
/// newlines and tabs are kept (tabs as spaces).
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push_str("    "),
            '\r' => {}
            c if is_terminal_control(c) => push_visible(c, &mut out),
            c => out.push(c),
        }
    }
    out
}

/// `text` shortened to about `max` characters by cutting out its middle (" … "): the start
/// and the end of a sentence say what was wrong and what was expected, whatever a quoted value
/// in between holds (a refusal never repeats a megabyte of input).
pub fn elide_middle(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    let count = text.chars().count();
    if count <= max {
        return std::borrow::Cow::Borrowed(text);
    }
    let tail = max * 2 / 5;
    let head = max.saturating_sub(tail + 3);
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(count - tail).collect();
    std::borrow::Cow::Owned(format!("{start} … {end}"))
}

/// Whether `c` could drive a terminal or reorder what it shows: a C0 or C1 control (ESC
/// among them), DEL, or a bidirectional override, isolate or mark.
pub fn is_terminal_control(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Appends the visible form of `c`: `\u{1b}`.
pub fn push_visible(c: char, out: &mut String) {
    use std::fmt::Write as _;
    // Writing into a String cannot fail.
    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// `value` as compact JSON, written by [`SafeJson`].
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    write_json(value, serde_json::ser::CompactFormatter)
}

/// `value` as indented JSON, written by [`SafeJson`].
pub fn to_json_pretty<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    write_json(value, serde_json::ser::PrettyFormatter::new())
}

fn write_json<T, F>(value: &T, formatter: F) -> serde_json::Result<String>
where
    T: serde::Serialize + ?Sized,
    F: serde_json::ser::Formatter,
{
    let mut bytes = Vec::with_capacity(128);
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, SafeJson(formatter));
    value.serialize(&mut serializer)?;
    // serde_json writes only UTF-8 (its strings come from `str`).
    String::from_utf8(bytes).map_err(|e| serde_json::Error::io(std::io::Error::other(e)))
}

/// The JSON formatter every JSON output of jargon goes through: besides what JSON requires
/// (C0 controls, quote, backslash), it writes DEL, C1 controls, bidi overrides, isolates and
/// marks, and U+2028/2029 as `\uXXXX`, so printed JSON can neither drive a terminal nor
/// reorder what it shows, and reads back as the same text. The layout is `F`'s.
pub struct SafeJson<F>(pub F);

fn json_escaped(c: char) -> bool {
    is_terminal_control(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for SafeJson<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if json_escaped(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                // Every such character is in the Basic Multilingual Plane: one \uXXXX.
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn end_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_key(w)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Lower case, accents removed (NFD, combining marks dropped).
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        // Nothing to decompose: the common case, and a large import folds every term.
        return text.to_ascii_lowercase();
    }
    fold_unicode(text)
}

fn fold_unicode(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// [`fold`], then every run of characters that are not letters or digits becomes one space,
/// trimmed: the form answers and terms are compared in.
pub fn normalize(text: &str) -> String {
    let folded = fold(text);
    let mut out = String::with_capacity(folded.len());
    let mut pending_space = false;
    for c in folded.chars() {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else if c != '\'' && c != '\u{2019}' {
            pending_space = true;
        }
    }
    out
}

/// A stable key from a term: folded, apostrophes dropped, other runs of non-alphanumerics
/// become `-`. "Zipf's law" -> `zipfs-law`, "A/B testing" -> `a-b-testing`.
pub fn slug(term: &str) -> String {
    let mut key = String::new();
    slug_into(term, &mut key);
    key
}

/// [`slug`], written into `key` (emptied first), which keeps its memory.
pub fn slug_into(term: &str, key: &mut String) {
    key.clear();
    if term.is_ascii() {
        // One pass over the bytes: a large import makes a key of every term.
        slug_ascii(term, key);
    } else {
        key.push_str(&normalize(term).replace(' ', "-"));
    }
}

/// [`slug`] of an ASCII term into an empty `key`: the same rule, without folding into a copy
/// first.
fn slug_ascii(term: &str, key: &mut String) {
    key.reserve(term.len());
    let mut pending_dash = false;
    for b in term.bytes() {
        if b.is_ascii_alphanumeric() {
            if pending_dash && !key.is_empty() {
                key.push('-');
            }
            pending_dash = false;
            key.push(char::from(b.to_ascii_lowercase()));
        } else if b != b'\'' {
            pending_dash = true;
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_long_text_keeps_its_start_and_end_around_an_ellipsis() {
        assert_eq!(elide_middle("short", 10), "short");
        let long = format!("the value '{}' is wrong", "9".repeat(1000));
        let cut = elide_middle(&long, 40);
        assert!(cut.chars().count() <= 40, "{cut}");
        assert!(cut.starts_with("the value '999"), "{cut}");
        assert!(cut.ends_with("999' is wrong"), "{cut}");
        assert!(cut.contains(" … "), "{cut}");
        // Characters, not bytes: never cut inside one.
        let wide = "é".repeat(100);
        assert_eq!(elide_middle(&wide, 20).chars().count(), 20);
    }
    use super::*;

    #[test]
    fn escape_sequences_and_controls_are_made_visible() {
        assert_eq!(sanitize("a\x1b[31mred\x07"), "a\\u{1b}[31mred\\u{7}");
        assert_eq!(sanitize("line\r\nnext\ttab"), "line\nnext    tab");
        assert_eq!(sanitize("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(sanitize("\u{9b}c"), "\\u{9b}c");
    }

    #[test]
    fn json_escapes_what_could_drive_a_terminal_and_reads_back_the_same() {
        let text = "a\u{1b}]52;c;x\u{7}\u{7f}\u{9b}\u{202e}\u{2066}\u{200f}\u{2028}é\"\\";
        let json = to_json(&[text]).unwrap();
        assert_eq!(
            json,
            r#"["a\u001b]52;c;x\u0007\u007f\u009b\u202e\u2066\u200f\u2028é\"\\"]"#
        );
        assert!(json.chars().all(|c| !is_terminal_control(c)), "{json}");
        let back: Vec<String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, [text]);
        let pretty = to_json_pretty(&serde_json::json!({"k": [text]})).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&pretty).unwrap()["k"][0],
            text
        );
        assert!(pretty.contains("\n  \"k\": [\n"), "{pretty}");
    }

    #[test]
    fn the_ascii_shortcut_folds_like_the_general_rule() {
        let every_ascii: String = (0u8..128).map(char::from).collect();
        assert_eq!(fold(&every_ascii), fold_unicode(&every_ascii));
        for text in ["Zipf's LAW", "A/B Testing", "  MixedCase 42 ", ""] {
            assert_eq!(fold(text), fold_unicode(text));
        }
    }

    #[test]
    fn slugs_follow_the_documented_rule() {
        assert_eq!(slug("Zipf's law"), "zipfs-law");
        assert_eq!(slug("A/B testing"), "a-b-testing");
        assert_eq!(slug("tf-idf"), "tf-idf");
        assert_eq!(
            slug("Exploration vs. exploitation"),
            "exploration-vs-exploitation"
        );
        assert_eq!(slug("Café  Crème"), "cafe-creme");
        assert_eq!(slug("20% time"), "20-time");
    }

    proptest::proptest! {
        #[test]
        fn the_ascii_slug_follows_the_general_rule(term in "[ -~\\t\\n]{0,40}") {
            let mut general = normalize(&term);
            general = general.replace(' ', "-");
            let mut key = String::new();
            slug_ascii(&term, &mut key);
            proptest::prop_assert_eq!(key, general);
        }
    }

    #[test]
    fn normalize_ignores_case_accents_punctuation_and_spacing() {
        assert_eq!(normalize("  Self-Attention! "), "self attention");
        assert_eq!(normalize("Naïve  Bayes"), "naive bayes");
    }
}

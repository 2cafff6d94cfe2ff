//! Media file names: which are safe to create in the media folder, and the deterministic safe
//! name for any other, so an import never refuses a package for a name yet never writes
//! outside the folder or a name another system cannot hold.

/// The longest name, in bytes, most file systems accept.
pub const NAME_MAX: usize = 255;

/// The longest extension (with its dot), in bytes, kept when a name is cut to [`NAME_MAX`].
const KEPT_EXTENSION_MAX: usize = 32;

/// The names Windows reserves for devices, with or without an extension.
const DEVICE_NAMES: [&str; 4] = ["CON", "PRN", "AUX", "NUL"];

/// Whether `name` can be created as is in the media folder: not empty, at most 255 bytes, no
/// `/`, `\`, NUL or other control character, not `.` or `..`, no leading dot (hidden files
/// and our temporary files start with one), not a Windows device name (`CON`, `nul.txt`,
/// `COM1`..), and no trailing dot or space (Windows drops them).
pub fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= NAME_MAX
        && !name.chars().any(is_bad_char)
        && !name.starts_with('.')
        && !name.ends_with(['.', ' '])
        && !is_device_name(name)
}

/// A safe name for `name`, the same every time: `name` itself when it is safe; otherwise bad
/// characters become `_`, a leading dot, a device name or an empty name gets a `_` in front,
/// a name past 255 bytes is cut on a character boundary keeping its extension, and trailing
/// dots and spaces become `_`.
pub fn safe_name(name: &str) -> String {
    if is_safe_name(name) {
        return name.to_string();
    }
    let mut out: String = name
        .chars()
        .map(|c| if is_bad_char(c) { '_' } else { c })
        .collect();
    if out.is_empty() || out.starts_with('.') || is_device_name(&out) {
        out.insert(0, '_');
    }
    let mut out = cut_keeping_extension(&out, NAME_MAX);
    let kept = out.trim_end_matches(['.', ' ']).len();
    let trailing = out.len() - kept;
    out.truncate(kept);
    out.extend(std::iter::repeat_n('_', trailing));
    out
}

/// `name` with `-<tag>` between its stem and its extension (`photo.jpg` -> `photo-1a2b.jpg`),
/// the stem cut so the whole stays within 255 bytes. `name` is safe, so is the result.
pub(super) fn tagged_name(name: &str, tag: &str) -> String {
    let (stem, extension) = match split_extension(name) {
        (_, extension) if extension.len() > KEPT_EXTENSION_MAX => (name, ""),
        parts => parts,
    };
    let room = NAME_MAX.saturating_sub(tag.len() + 1 + extension.len());
    let stem = &stem[..floor_char_boundary(stem, room)];
    format!("{stem}-{tag}{extension}")
}

/// A character never allowed in a name: a path separator or a control character (NUL, the
/// C0 and C1 controls and DEL, which includes the escape that starts a terminal sequence).
fn is_bad_char(c: char) -> bool {
    c == '/' || c == '\\' || c.is_control()
}

/// Whether the part before the first dot (trailing spaces ignored, as Windows does) is a
/// reserved device name, in any case.
fn is_device_name(name: &str) -> bool {
    let base = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    let upper = base.to_ascii_uppercase();
    if DEVICE_NAMES.contains(&upper.as_str()) {
        return true;
    }
    let bytes = upper.as_bytes();
    bytes.len() == 4
        && (upper.starts_with("COM") || upper.starts_with("LPT"))
        && (b'1'..=b'9').contains(&bytes[3])
}

/// The stem and the extension (with its dot) of a name; a leading dot starts no extension.
fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(dot) if dot > 0 => name.split_at(dot),
        _ => (name, ""),
    }
}

/// `name` cut to `max` bytes on a character boundary, its extension kept when it is short.
fn cut_keeping_extension(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_string();
    }
    let (stem, extension) = split_extension(name);
    if extension.len() > KEPT_EXTENSION_MAX {
        return name[..floor_char_boundary(name, max)].to_string();
    }
    let stem = &stem[..floor_char_boundary(stem, max - extension.len())];
    format!("{stem}{extension}")
}

/// The largest character boundary of `text` at or below `index`.
fn floor_char_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_are_safe_and_kept() {
        for name in [
            "photo.jpg",
            "a b.mp3",
            "日本語.png",
            "x",
            "paste-3f2a.png",
            "c++.svg",
        ] {
            assert!(is_safe_name(name), "{name}");
            assert_eq!(safe_name(name), name);
        }
    }

    #[test]
    fn unsafe_names_are_refused() {
        for name in [
            "",
            ".",
            "..",
            "../x",
            "a/b",
            "a\\b",
            ".hidden",
            "CON",
            "con.png",
            "Com1.txt",
            "LPT9",
            "nul .txt",
            "x\u{1b}[31m.png",
            "a\0b",
            "tab\there",
            "dot.",
            "space ",
        ] {
            assert!(!is_safe_name(name), "{name:?}");
        }
        assert!(!is_safe_name(&"a".repeat(256)));
        assert!(is_safe_name(&"a".repeat(255)));
        // Not device names: a longer stem, COM0, a device name inside.
        for name in ["CONSOLE.png", "COM0", "com10", "icon.png", "AUXX"] {
            assert!(is_safe_name(name), "{name}");
        }
    }

    #[test]
    fn unsafe_names_become_these_safe_names() {
        let cases = [
            ("", "_"),
            (".", "__"),
            ("..", "___"),
            ("../x", "_.._x"),
            ("a/b", "a_b"),
            ("a\\b", "a_b"),
            (".hidden", "_.hidden"),
            ("CON", "_CON"),
            ("con.png", "_con.png"),
            ("x\u{1b}[31m.png", "x_[31m.png"),
            ("dot.", "dot_"),
            ("end. .", "end___"),
            ("a\0b\r\n", "a_b__"),
        ];
        for (name, safe) in cases {
            assert_eq!(safe_name(name), safe, "{name:?}");
            assert!(is_safe_name(safe), "{safe:?}");
        }
    }

    #[test]
    fn a_long_name_is_cut_to_255_bytes_keeping_its_extension() {
        let name = format!("{}.png", "a".repeat(296));
        assert_eq!(safe_name(&name), format!("{}.png", "a".repeat(251)));
        // Two-byte characters: cut on a boundary, so 254 bytes.
        let name = format!("{}.png", "é".repeat(150));
        assert_eq!(safe_name(&name), format!("{}.png", "é".repeat(125)));
        // An extension too long to keep is cut with the rest.
        let name = format!("a.{}", "b".repeat(300));
        assert_eq!(safe_name(&name), format!("a.{}", "b".repeat(253)));
    }

    #[test]
    fn safe_names_are_fixed_points() {
        let nasty = [
            "",
            ".",
            "../../etc/passwd",
            "CON.",
            " .",
            "\u{85}",
            "\u{7f}x",
            "LPT1 ",
            &"é".repeat(300),
            &format!(".{}", "a".repeat(255)),
            &format!("{}.", "a".repeat(254)),
        ];
        for name in nasty {
            let safe = safe_name(name);
            assert!(is_safe_name(&safe), "{name:?} -> {safe:?}");
            assert_eq!(safe_name(&safe), safe);
        }
    }

    #[test]
    fn a_tag_goes_between_stem_and_extension_within_255_bytes() {
        assert_eq!(tagged_name("photo.jpg", "1a2b3c4d"), "photo-1a2b3c4d.jpg");
        assert_eq!(tagged_name("noext", "1a2b3c4d"), "noext-1a2b3c4d");
        assert_eq!(tagged_name("a.b.c", "ff"), "a.b-ff.c");
        let long = format!("{}.png", "a".repeat(251));
        assert_eq!(
            tagged_name(&long, "1a2b3c4d"),
            format!("{}-1a2b3c4d.png", "a".repeat(242))
        );
        // An extension too long to keep is part of the stem.
        let long = format!("a.{}", "b".repeat(250));
        let tagged = tagged_name(&long, "1a2b3c4d");
        assert_eq!(tagged, format!("a.{}-1a2b3c4d", "b".repeat(244)));
        assert!(is_safe_name(&tagged));
    }
}

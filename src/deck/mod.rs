//! Deck formats: each parser turns a file into validated [`DeckInput`]s, [`plan`] compares
//! them with the collection, and the store applies the plan in one transaction.
//!
//! parse -> validated records -> plan (pure) -> store.
//!
//! [`load_with`] (`import::load` for callers) dispatches on the file's extension (or
//! `--format`): `.toml` native decks, `.csv`, `.tsv` and `.txt` Anki-style text files, `.json`,
//! and `.apkg` Anki packages, whose cards' scheduling and review log come along as
//! [`crate::records::import::CardHistory`]s.

mod anki_proto;
pub mod apkg;
pub mod apkg_collection;
pub mod apkg_export;
pub mod apkg_media;
pub mod apkg_notetypes;
pub mod apkg_numbers;
pub mod apkg_zip;
pub mod builtin;
pub mod csv;
pub mod export;
pub mod history;
pub mod html;
pub mod json;
pub mod map_fields;
pub mod notetypes;
pub mod plan;
pub mod revlog;
pub mod sniff;
pub mod toml;

use std::path::Path;

use crate::clock::Clock;
use crate::error::{Error, Position, Result};
use crate::model::NoteFields;

/// One deck's worth of notes from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeckInput {
    pub name: String,
    pub description: Option<String>,
    pub notes: Vec<NoteInput>,
}

/// A note from a file, with where it was found (for error messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteInput {
    pub fields: NoteFields,
    pub position: Option<Position>,
}

/// What a file is read as: each kind has its own size limit ([`InputKind::limit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Deck(Format),
    /// `jargon import --revlog`.
    ReviewLog,
}

const MIB: u64 = 1 << 20;

/// Replaces every size limit when set to a number of bytes: a testing aid, so tests can
/// exercise the refusal with small files.
pub const MAX_INPUT_ENV: &str = "JARGON_MAX_INPUT_BYTES";

impl InputKind {
    /// The most bytes a file of this kind may hold. TOML and JSON decks are parsed whole, so
    /// they get the tighter limit; CSV/TSV files are written while they are read; a review
    /// log keeps one small record per answer. Anki packages check their own entries.
    pub fn limit(self) -> u64 {
        if let Some(bytes) = std::env::var(MAX_INPUT_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            return bytes;
        }
        match self {
            InputKind::Deck(Format::Toml | Format::Json) => 256 * MIB,
            InputKind::Deck(Format::Csv | Format::Tsv) => 1024 * MIB,
            // Read by `apkg.rs`, which bounds every entry it decompresses.
            InputKind::Deck(Format::Apkg) => 2048 * MIB,
            InputKind::ReviewLog => 512 * MIB,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            InputKind::Deck(Format::Toml) => "a TOML deck",
            InputKind::Deck(Format::Json) => "a JSON deck",
            InputKind::Deck(Format::Csv) => "a CSV file",
            InputKind::Deck(Format::Tsv) => "a TSV file",
            InputKind::Deck(Format::Apkg) => "an Anki package",
            InputKind::ReviewLog => "a review log",
        }
    }
}

/// A size for people: bytes below 10 KiB, else KiB, MiB or GiB with one decimal.
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if bytes < 10 * 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Refuses anything but a regular file: reading a named pipe with no writer blocks forever,
/// and a device such as `/dev/zero` never ends.
fn refuse_unless_regular(path: &Path, kind: std::fs::FileType) -> Result<()> {
    if kind.is_file() {
        return Ok(());
    }
    let what = if kind.is_dir() {
        "a directory"
    } else {
        special_file(kind)
    };
    Err(Error::input(
        path,
        None,
        format!(
            "is {what}, not a regular file; jargon imports only files, so save the data to a file first and import that"
        ),
    ))
}

#[cfg(unix)]
fn special_file(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a named pipe"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_file(_: std::fs::FileType) -> &'static str {
    "a special file"
}

/// Opens a file to import, refusing anything but a regular file before it is opened for
/// reading (the one check every import input goes through). The metadata is read through
/// symbolic links first; the file is then opened without blocking (a named pipe swapped in
/// meanwhile cannot hang the open) and its handle checked again.
pub fn open_input(path: &Path) -> Result<std::fs::File> {
    let meta = std::fs::metadata(path).map_err(|e| {
        if path == Path::new("-") && e.kind() == std::io::ErrorKind::NotFound {
            Error::input(
                path,
                None,
                "jargon does not read imports from standard input; save the data to a file first and import that",
            )
        } else {
            Error::io("read", path, e)
        }
    })?;
    refuse_unless_regular(path, meta.file_type())?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| Error::io("read", path, e))?;
    let meta = file.metadata().map_err(|e| Error::io("read", path, e))?;
    refuse_unless_regular(path, meta.file_type())?;
    Ok(file)
}

/// The refusal of a file past its kind's limit: `size` when the file said how large it is,
/// `None` when reading it found more than the limit (a file under `/proc`, or one growing).
fn too_large(path: &Path, kind: InputKind, limit: u64, size: Option<u64>) -> Error {
    let limit = human_size(limit);
    let what = kind.describe();
    Error::input(
        path,
        None,
        match size {
            Some(size) => format!(
                "the file holds {}, more than the {limit} limit for {what}; split it into smaller files",
                human_size(size)
            ),
            None => format!(
                "the file holds more than the {limit} limit for {what}; split it into smaller files"
            ),
        },
    )
}

/// Reads a file to import whole, through [`open_input`] and a reader that stops one byte past
/// the kind's limit (a file can grow while it is read, and files under `/proc` report no size).
pub fn read_bytes(path: &Path, kind: InputKind) -> Result<Vec<u8>> {
    read_bytes_within(path, kind, kind.limit())
}

fn read_bytes_within(path: &Path, kind: InputKind, limit: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let file = open_input(path)?;
    let size = file
        .metadata()
        .map_err(|e| Error::io("read", path, e))?
        .len();
    if size > limit {
        return Err(too_large(path, kind, limit, Some(size)));
    }
    // Room for the whole file at once: growing the buffer by doubling would copy it and hold
    // up to twice its size.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("read", path, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, kind, limit, None));
    }
    Ok(bytes)
}

/// Reads a file to import as UTF-8 text ([`read_bytes`]), naming the first invalid byte.
pub fn read_text(path: &Path, kind: InputKind) -> Result<String> {
    decode_utf8(path, read_bytes(path, kind)?)
}

/// UTF-8 text from bytes, without a leading byte-order mark.
pub fn decode_utf8(path: &Path, bytes: Vec<u8>) -> Result<String> {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Ok(text)
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]);
            Err(Error::input(
                path,
                Some(Position::of_offset(&prefix, prefix.len())),
                "the file is not valid UTF-8 text (save it as UTF-8)",
            ))
        }
    }
}

/// Checks the rules every deck obeys, whatever its format: a usable deck name, a term and a
/// definition on every note, and keys unique within a deck.
pub fn validate(path: &Path, decks: &[DeckInput]) -> Result<()> {
    let mut validator = Validator::new(path);
    for deck in decks {
        for note in &deck.notes {
            validator.note(&deck.name, note)?;
        }
        if deck.notes.is_empty() {
            validator.deck(&deck.name)?;
        }
    }
    Ok(())
}

/// The keys a deck's notes used so far, and where each was first given. foldhash, seeded
/// per process: several times quicker than the standard SipHash on short keys, and a file
/// cannot be made to collide on purpose. A million-note file keeps a million entries, so each
/// is kept small: a boxed key and its [`Origin`] take 24 bytes, a `String` and a `Position` 48.
type Keys = std::collections::HashMap<Box<str>, Origin, foldhash::fast::RandomState>;

/// Where a key was first given: its line (0 when unknown) and the index of its file among the
/// files the validator read.
#[derive(Debug, Clone, Copy)]
struct Origin {
    line: u32,
    file: u32,
}

/// [`validate`] note by note, for files that are checked while they are read: one file, or
/// several in turn ([`Validator::next_file`]), whose keys are checked across them.
pub struct Validator<'p> {
    /// The file being read.
    path: &'p Path,
    /// The files read so far, this one last.
    files: Vec<&'p Path>,
    /// The index of the file being read in `files`.
    file: u32,
    /// Per deck name, the keys seen so far and where.
    decks: Vec<(String, Keys)>,
    /// The deck of the previous note: files list a deck's notes together.
    last: usize,
    /// Room to make for the keys of the next deck met: about how many notes the file being
    /// read holds.
    expected: usize,
}

impl<'p> Validator<'p> {
    pub fn new(path: &'p Path) -> Validator<'p> {
        Validator::expecting(path, 0)
    }

    /// A validator for a file of about `notes` notes, most of them in one deck.
    pub fn expecting(path: &'p Path, notes: usize) -> Validator<'p> {
        Validator {
            path,
            files: vec![path],
            file: 0,
            decks: Vec::new(),
            last: 0,
            expected: notes,
        }
    }

    /// Goes on with the next file, of about `notes` notes: a key it gives that an earlier
    /// file gave in the same deck is refused, naming both files.
    pub fn next_file(&mut self, path: &'p Path, notes: usize) -> Result<()> {
        self.file = u32::try_from(self.files.len())
            .map_err(|_| Error::input(path, None, "too many files in one import"))?;
        self.files.push(path);
        self.path = path;
        self.expected = notes;
        Ok(())
    }

    /// Makes the room the file being read asked for in the keys of deck `index` (the first
    /// deck the file names).
    fn make_room(&mut self, index: usize) {
        if self.expected > 0 {
            let room = std::mem::take(&mut self.expected);
            self.decks[index].1.reserve(room);
        }
    }

    /// Checks a deck's name (once per name); returns its index in `self.decks`.
    pub fn deck(&mut self, name: &str) -> Result<usize> {
        if let Some((last, _)) = self.decks.get(self.last)
            && last == name
        {
            self.make_room(self.last);
            return Ok(self.last);
        }
        if let Some(index) = self.decks.iter().position(|(n, _)| n == name) {
            self.last = index;
            self.make_room(index);
            return Ok(index);
        }
        if !usable_deck_name(name) {
            return Err(Error::input(
                self.path,
                None,
                format!("'{name}' is not a usable deck name"),
            ));
        }
        let room = std::mem::take(&mut self.expected);
        self.decks.push((
            name.to_string(),
            Keys::with_capacity_and_hasher(room, foldhash::fast::RandomState::default()),
        ));
        self.last = self.decks.len() - 1;
        Ok(self.last)
    }

    /// Checks one note of `deck`, after the notes before it.
    pub fn note(&mut self, deck: &str, note: &NoteInput) -> Result<()> {
        let f = &note.fields;
        let path = self.path;
        let index = self.deck(deck)?;
        if let Some(field) = nul_field(f) {
            return Err(Error::input(
                path,
                note.position,
                format!(
                    "a note has a NUL character (byte 0) in its {field}; no field may hold one"
                ),
            ));
        }
        if f.term.trim().is_empty() {
            return Err(Error::input(
                path,
                note.position,
                "a note has an empty term",
            ));
        }
        // A note of an Anki type may leave its second field empty (a cloze's Back Extra).
        if f.definition.trim().is_empty() && f.rich.is_none() {
            return Err(Error::input(
                path,
                note.position,
                format!("the note '{}' has no definition", f.term),
            ));
        }
        if f.key.is_empty() {
            return Err(Error::input(
                path,
                note.position,
                format!(
                    "no key can be made from the term '{}'; give the note an explicit id",
                    f.term
                ),
            ));
        }
        let file = self.file;
        match self.decks[index].1.entry(Box::from(f.key.as_str())) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                // Lines past u32::MAX (a file over 4 GiB, above every limit) are not named.
                let line = note
                    .position
                    .map_or(0, |p| u32::try_from(p.line).unwrap_or(0));
                slot.insert(Origin { line, file });
                Ok(())
            }
            std::collections::hash_map::Entry::Occupied(first) => {
                let first = *first.get();
                if first.file != file {
                    let other = self.files.get(first.file as usize).copied();
                    return Err(Error::input(
                        path,
                        note.position,
                        format!(
                            "the key '{}' of deck '{deck}' is also in {}; import them separately",
                            f.key,
                            other.unwrap_or(Path::new("another file")).display()
                        ),
                    ));
                }
                let at = if first.line > 0 {
                    format!(" (first at line {})", first.line)
                } else {
                    String::new()
                };
                Err(Error::input(
                    path,
                    note.position,
                    format!("the key '{}' is used twice in deck '{deck}'{at}", f.key),
                ))
            }
        }
    }
}

/// The first field of a note that holds a NUL character, by name.
fn nul_field(f: &NoteFields) -> Option<&'static str> {
    let nul = |text: &str| memchr::memchr(0, text.as_bytes()).is_some();
    let any = |list: &[String]| list.iter().any(|t| nul(t));
    [
        ("term", nul(&f.term)),
        ("definition", nul(&f.definition)),
        ("example", nul(&f.example)),
        ("aliases", any(&f.aliases)),
        ("related keys", any(&f.related)),
        ("source", nul(&f.source)),
        ("tags", any(&f.tags)),
        ("key", nul(&f.key)),
        ("guid", f.guid.as_deref().is_some_and(nul)),
        ("fields", f.rich.as_ref().is_some_and(|r| any(&r.values))),
    ]
    .into_iter()
    .find_map(|(name, found)| found.then_some(name))
}

/// The formats of deck files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Csv,
    Tsv,
    Json,
    Apkg,
}

impl Format {
    /// The format a file name implies: `.txt` is a text file like `.csv` (separator detected).
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match extension.as_str() {
            "toml" => Format::Toml,
            "csv" | "txt" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "json" => Format::Json,
            "apkg" | "colpkg" => Format::Apkg,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Toml => "toml",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Json => "json",
            Format::Apkg => "apkg",
        }
    }
}

/// How to read files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The deck for notes whose file names none (default: the file's stem).
    pub deck: Option<String>,
    /// Overrides the format the extension implies.
    pub format: Option<Format>,
    /// The collection's clock, to place Anki's due dates on our study days (default: UTC,
    /// rollover at 4, now).
    pub clock: Option<Clock>,
}

/// Everything one file brings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Loaded {
    pub decks: Vec<DeckInput>,
    /// Scheduling and review history of cards (Anki packages), by index of the note among
    /// all notes of `decks` in order.
    pub histories: Vec<crate::records::import::CardHistory>,
    /// Media files in a package (its numbered entries): loading stores none, the import
    /// does (`import::media`).
    pub media_skipped: usize,
    /// What was ignored or changed on the way, one sentence each.
    pub warnings: Vec<String>,
}

/// The deck of notes whose file names none: `--deck`, else the file's stem.
pub fn default_deck(path: &Path, options: &LoadOptions) -> String {
    options.deck.clone().unwrap_or_else(|| {
        path.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("imported")
            .to_string()
    })
}

/// Loads one deck file of any supported format, validated, all or nothing, with the note
/// types a text file's note type column may name; an Anki package's collection is read by
/// what `anki` opens (the store's reader: `import::load` passes it).
pub fn load_with(
    path: &Path,
    options: &LoadOptions,
    known: &notetypes::KnownTypes,
    anki: &dyn crate::records::anki::OpenAnki,
) -> Result<Loaded> {
    // Before anything else, and before any format opens the file.
    drop(open_input(path)?);
    let format = match options.format.or_else(|| Format::from_path(path)) {
        Some(format) => format,
        None => {
            return Err(Error::input(
                path,
                None,
                "unknown deck format (use .toml, .csv, .tsv, .txt, .json or .apkg, or pass --format)",
            ));
        }
    };
    let mut loaded = match format {
        // A TOML deck names itself (or takes its file's stem), as it always has.
        Format::Toml => Loaded {
            decks: vec![toml::parse(
                path,
                &read_text(path, InputKind::Deck(format))?,
            )?],
            ..Loaded::default()
        },
        Format::Csv | Format::Tsv => {
            let hint = (format == Format::Tsv).then_some(b'\t');
            let text = csv::parse_with(
                path,
                &read_text(path, InputKind::Deck(format))?,
                &default_deck(path, options),
                hint,
                known,
            )?;
            Loaded {
                decks: text.decks,
                warnings: text.warnings,
                ..Loaded::default()
            }
        }
        Format::Json => Loaded {
            decks: json::parse(
                path,
                &read_text(path, InputKind::Deck(format))?,
                &default_deck(path, options),
            )?,
            ..Loaded::default()
        },
        Format::Apkg => {
            let clock = match options.clock {
                Some(clock) => clock,
                None => Clock::from_env(crate::clock::Zone::Named(chrono_tz::UTC), 4)?,
            };
            apkg::load(path, &clock, anki)?
        }
    };
    validate(path, &loaded.decks)?;
    loaded.decks.retain(|d| !d.notes.is_empty());
    Ok(loaded)
}

/// Whether `name` can name a deck: not blank, no blank part between `::`, no NUL.
pub fn usable_deck_name(name: &str) -> bool {
    let trimmed = name.trim();
    !(trimmed.is_empty()
        || trimmed.split("::").any(|part| part.trim().is_empty())
        || name.contains('\0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn the_bounded_reader_stops_past_the_limit_of_a_file_that_reports_no_size() {
        // /proc files say they are empty and are not.
        let path = Path::new("/proc/self/maps");
        assert_eq!(std::fs::metadata(path).unwrap().len(), 0);
        let kind = InputKind::Deck(Format::Csv);
        let err = read_bytes_within(path, kind, 10).unwrap_err().to_string();
        assert_eq!(
            err,
            "/proc/self/maps: the file holds more than the 10 bytes limit for a CSV file; split it into smaller files"
        );
        assert!(read_bytes_within(path, kind, 1 << 20).unwrap().len() > 10);
    }

    fn note(key: &str, line: usize) -> NoteInput {
        NoteInput {
            fields: NoteFields {
                term: key.to_string(),
                definition: "d".to_string(),
                key: key.to_string(),
                ..NoteFields::default()
            },
            position: Some(Position { line, column: 1 }),
        }
    }

    #[test]
    fn a_validator_over_several_files_names_the_file_that_gave_a_key_first() {
        let (a, b, c) = (Path::new("a.csv"), Path::new("b.toml"), Path::new("c.json"));
        let mut validator = Validator::expecting(a, 2);
        validator.note("D", &note("one", 1)).unwrap();
        validator.note("E", &note("two", 2)).unwrap();
        validator.next_file(b, 1).unwrap();
        // Another deck may reuse a key; the same deck may not.
        validator.note("E", &note("one", 4)).unwrap();
        let err = validator.note("D", &note("one", 7)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "b.toml:7:1: the key 'one' of deck 'D' is also in a.csv; import them separately"
        );
        validator.next_file(c, 0).unwrap();
        let err = validator.note("E", &note("one", 3)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "c.json:3:1: the key 'one' of deck 'E' is also in b.toml; import them separately"
        );
        // Within one file, the sentence of one file.
        validator.note("F", &note("three", 5)).unwrap();
        let err = validator.note("F", &note("three", 6)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "c.json:6:1: the key 'three' is used twice in deck 'F' (first at line 5)"
        );
        let err = validator.deck(" :: ").unwrap_err();
        assert_eq!(err.to_string(), "c.json: ' :: ' is not a usable deck name");
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(10 * 1024 - 1), "10239 bytes");
        assert_eq!(human_size(10 * 1024), "10.0 KiB");
        assert_eq!(human_size(256 * MIB), "256.0 MiB");
        assert_eq!(human_size(3 * 1024 * MIB / 2), "1.5 GiB");
    }
}

//! The events a device appends to its segments, one JSON object per line:
//!
//! `{"v":1,"device":"<32 hex>","seq":7,"at_ms":1733000000000,"kind":"answer","data":{...}}`
//!
//! The envelope (`v`, `device`, `seq`, `at_ms`, `kind`) is the same for every kind, so a
//! reader can order, count and skip an event whose `kind` it does not know (written by a
//! newer jargon): such an event is kept as [`Body::Unknown`], byte for byte, and never fatal.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::device::DeviceId;

/// The format version this jargon writes. A reader accepts lines of any version; a body it
/// cannot read from a newer version is kept as [`Body::Unknown`] instead of being damage.
pub const FORMAT_VERSION: u32 = 1;

/// The longest line, newline included, that is written or read: 1 MiB.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The longest identifier (a note's global id, a deck, a note type, a field name, a
/// scheduler, a setting key), in bytes.
pub const MAX_NAME_BYTES: usize = 1024;

/// One event: who wrote it, its place in that device's sequence, when, and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub version: u32,
    pub device: DeviceId,
    /// The device's own sequence number, 1, 2, 3, ... with no reuse: authoritative for the
    /// order of one device's events, whatever its clock said.
    pub seq: u64,
    /// When the device made the event (its clock, milliseconds since the Unix epoch): with
    /// `device` and `seq`, the order across devices.
    pub at_ms: i64,
    pub body: Body,
}

/// A card across devices: its note's global id and its template ordinal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardRef {
    pub note: String,
    pub ord: u32,
}

/// What an answer was for, as the review log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    Schedule,
    Drill,
    Cram,
    Import,
    Reschedule,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// The global answer id, `<device>-<seq>` of this event: unique forever.
    pub id: String,
    pub card: CardRef,
    pub reviewed_at_ms: i64,
    /// The learner's day the answer counted toward (days since the Unix epoch, in the
    /// collection's day, after its rollover hour).
    pub day: i64,
    /// The button or quality the scheduler was given (1-4, or SM-2's 0-5).
    pub rating: u8,
    pub duration_ms: u64,
    pub kind: AnswerKind,
    /// The scheduler the answer was made with (`sm2`, `fsrs`, ...), to replay it.
    pub scheduler: String,
    /// What the replay needs of that scheduler's settings: opaque to this layer.
    #[serde(default)]
    pub settings: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteAdd {
    pub note: String,
    pub deck: String,
    /// The note's key in its deck (its `DECK/KEY` name).
    #[serde(default)]
    pub key: String,
    pub notetype: String,
    /// The note type's definition, for a type other than `vocab` (a receiver that lacks it
    /// stores it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notetype_def: Option<Value>,
    /// The number its cards draw their fuzz from: the earliest add of a note wins, so every
    /// device replays it alike.
    #[serde(default)]
    pub seed: i64,
    /// Field name -> value: generic, as the note type defines them.
    pub fields: Map<String, Value>,
    /// The fields are the note's source's (a built-in deck, an imported file), untouched on
    /// the device that adds it: they count as written at time 0, before any edit, while the
    /// add itself keeps its time (the earliest add still gives the seed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub untouched: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteEdit {
    pub note: String,
    pub field: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteDelete {
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardEvent {
    pub card: CardRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bury {
    pub card: CardRef,
    /// Hidden through this study day; null: unburied.
    pub until_day: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    pub key: String,
    pub value: Value,
}

/// What happened. The time of edits, deletions, suspends, buries and settings is the
/// envelope's `at_ms`.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Answer(Answer),
    NoteAdd(NoteAdd),
    NoteEdit(NoteEdit),
    NoteDelete(NoteDelete),
    Suspend(CardEvent),
    Unsuspend(CardEvent),
    Bury(Bury),
    Setting(Setting),
    /// A kind this jargon does not know (or a newer version's body it cannot read): kept as
    /// written, to be skipped by the merge.
    Unknown {
        kind: String,
        data: String,
    },
}

impl Body {
    /// The `kind` written in the envelope.
    pub fn kind(&self) -> &str {
        match self {
            Body::Answer(_) => "answer",
            Body::NoteAdd(_) => "note_add",
            Body::NoteEdit(_) => "note_edit",
            Body::NoteDelete(_) => "note_delete",
            Body::Suspend(_) => "suspend",
            Body::Unsuspend(_) => "unsuspend",
            Body::Bury(_) => "bury",
            Body::Setting(_) => "setting",
            Body::Unknown { kind, .. } => kind,
        }
    }
}

/// The global id of the answer a device writes as its event `seq`.
pub fn answer_id(device: &DeviceId, seq: u64) -> String {
    format!("{}-{seq}", device.as_str())
}

#[derive(Serialize)]
struct WireOut<'a, T: Serialize + ?Sized> {
    v: u32,
    device: &'a str,
    seq: u64,
    at_ms: i64,
    kind: &'a str,
    data: &'a T,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireIn<'a> {
    v: u32,
    device: String,
    seq: u64,
    at_ms: i64,
    kind: String,
    #[serde(borrow)]
    data: &'a RawValue,
}

/// Why a line is not an event: the message, and the 1-based column where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub column: Option<usize>,
    pub message: String,
}

impl LineError {
    fn new(message: impl Into<String>) -> LineError {
        LineError {
            column: None,
            message: message.into(),
        }
    }
}

fn json_error(error: serde_json::Error, what: &str, base_column: usize) -> LineError {
    LineError {
        column: Some(base_column + error.column().max(1) - 1),
        message: format!("{what} does not parse ({error})"),
    }
}

impl Event {
    pub fn new(device: DeviceId, seq: u64, at_ms: i64, body: Body) -> Event {
        Event {
            version: FORMAT_VERSION,
            device,
            seq,
            at_ms,
            body,
        }
    }

    /// The order the merge uses: time, then device, then the device's sequence.
    pub fn order_key(&self) -> (i64, &str, u64) {
        (self.at_ms, self.device.as_str(), self.seq)
    }

    /// The line for this event, newline included, after checking its sizes.
    pub fn to_line(&self) -> Result<Vec<u8>, LineError> {
        self.check()?;
        let mut line = match &self.body {
            Body::Answer(b) => self.wire(b),
            Body::NoteAdd(b) => self.wire(b),
            Body::NoteEdit(b) => self.wire(b),
            Body::NoteDelete(b) => self.wire(b),
            Body::Suspend(b) | Body::Unsuspend(b) => self.wire(b),
            Body::Bury(b) => self.wire(b),
            Body::Setting(b) => self.wire(b),
            Body::Unknown { data, .. } => {
                let raw = RawValue::from_string(data.clone())
                    .map_err(|e| json_error(e, "the kept event's data", 1))?;
                self.wire(&raw)
            }
        }?;
        line.push(b'\n');
        if line.len() > MAX_LINE_BYTES {
            return Err(LineError::new(format!(
                "the event is {} bytes long, over the limit of {MAX_LINE_BYTES}",
                line.len()
            )));
        }
        Ok(line)
    }

    fn wire<T: Serialize + ?Sized>(&self, data: &T) -> Result<Vec<u8>, LineError> {
        crate::text::to_json(&WireOut {
            v: self.version,
            device: self.device.as_str(),
            seq: self.seq,
            at_ms: self.at_ms,
            kind: self.body.kind(),
            data,
        })
        .map(String::into_bytes)
        .map_err(|e| LineError::new(format!("the event cannot be written as JSON ({e})")))
    }

    /// Reads one line (without its newline).
    pub fn from_line(line: &[u8]) -> Result<Event, LineError> {
        if line.len() >= MAX_LINE_BYTES {
            return Err(LineError::new(format!(
                "the line is longer than the limit of {MAX_LINE_BYTES} bytes"
            )));
        }
        let wire: WireIn =
            serde_json::from_slice(line).map_err(|e| json_error(e, "the line", 1))?;
        let device = DeviceId::parse(&wire.device).map_err(LineError::new)?;
        // Where `data` starts in the line, so a column inside the body points into the line.
        let data_column = line.len() - wire.data.get().len();
        let data = wire.data.get();
        let known = |e: serde_json::Error| json_error(e, "the event's data", data_column);
        let parsed = match wire.kind.as_str() {
            "answer" => serde_json::from_str(data).map(Body::Answer).map_err(known),
            "note_add" => serde_json::from_str(data).map(Body::NoteAdd).map_err(known),
            "note_edit" => serde_json::from_str(data)
                .map(Body::NoteEdit)
                .map_err(known),
            "note_delete" => serde_json::from_str(data)
                .map(Body::NoteDelete)
                .map_err(known),
            "suspend" => serde_json::from_str(data).map(Body::Suspend).map_err(known),
            "unsuspend" => serde_json::from_str(data)
                .map(Body::Unsuspend)
                .map_err(known),
            "bury" => serde_json::from_str(data).map(Body::Bury).map_err(known),
            "setting" => serde_json::from_str(data).map(Body::Setting).map_err(known),
            _ => Ok(Body::Unknown {
                kind: wire.kind.clone(),
                data: data.to_string(),
            }),
        };
        let body = match parsed {
            Ok(body) => body,
            // A newer version may have grown a known kind: keep it, do not call it damage.
            Err(_) if wire.v > FORMAT_VERSION => Body::Unknown {
                kind: wire.kind.clone(),
                data: data.to_string(),
            },
            Err(e) => return Err(e),
        };
        let event = Event {
            version: wire.v,
            device,
            seq: wire.seq,
            at_ms: wire.at_ms,
            body,
        };
        event.check()?;
        Ok(event)
    }

    /// The bounds every event keeps, checked on write and on read.
    fn check(&self) -> Result<(), LineError> {
        if self.seq == 0 {
            return Err(LineError::new(
                "the event's sequence number is 0; they start at 1",
            ));
        }
        within("at_ms", self.at_ms, 0, MAX_TIME_MS)?;
        let card = match &self.body {
            Body::Answer(a) => Some(&a.card),
            Body::Suspend(c) | Body::Unsuspend(c) => Some(&c.card),
            Body::Bury(b) => Some(&b.card),
            _ => None,
        };
        if let Some(card) = card
            && i64::from(card.ord) >= crate::model::CARDS_PER_NOTE
        {
            return Err(LineError::new(format!(
                "the card's ord {} is not below {}",
                card.ord,
                crate::model::CARDS_PER_NOTE
            )));
        }
        match &self.body {
            Body::Answer(a) => {
                within("reviewed_at_ms", a.reviewed_at_ms, 0, MAX_TIME_MS)?;
                within("day", a.day, 0, MAX_DAY)?;
                within("rating", i64::from(a.rating), 0, 5)?;
                within(
                    "duration_ms",
                    i64::try_from(a.duration_ms).unwrap_or(i64::MAX),
                    0,
                    MAX_DURATION_MS,
                )?;
            }
            Body::NoteAdd(n) => within("seed", n.seed, -MAX_SEED, MAX_SEED)?,
            Body::Bury(b) => {
                if let Some(day) = b.until_day {
                    within("until_day", day, -1, MAX_DAY)?;
                }
            }
            _ => {}
        }
        if self.body.kind().is_empty() || self.body.kind().len() > MAX_NAME_BYTES {
            return Err(LineError::new("the event's kind is empty or too long"));
        }
        let names: Vec<(&str, &str)> = match &self.body {
            Body::Answer(a) => {
                if a.id != answer_id(&self.device, self.seq) {
                    return Err(LineError::new(format!(
                        "the answer's id {:?} is not its device and sequence ({})",
                        a.id,
                        answer_id(&self.device, self.seq)
                    )));
                }
                if a.reviewed_at_ms > self.at_ms {
                    return Err(LineError::new(format!(
                        "the answer's reviewed_at_ms {} is later than its event's at_ms {}",
                        a.reviewed_at_ms, self.at_ms
                    )));
                }
                vec![("note", &a.card.note), ("scheduler", &a.scheduler)]
            }
            Body::NoteAdd(n) => {
                let mut names = vec![
                    ("note", n.note.as_str()),
                    ("deck", &n.deck),
                    ("note type", &n.notetype),
                ];
                names.extend(n.fields.keys().map(|k| ("field", k.as_str())));
                names
            }
            Body::NoteEdit(n) => vec![("note", &n.note), ("field", &n.field)],
            Body::NoteDelete(n) => vec![("note", &n.note)],
            Body::Suspend(c) | Body::Unsuspend(c) => vec![("note", &c.card.note)],
            Body::Bury(b) => vec![("note", &b.card.note)],
            Body::Setting(s) => vec![("setting", &s.key)],
            Body::Unknown { .. } => vec![],
        };
        for (what, name) in names {
            if name.is_empty() || name.len() > MAX_NAME_BYTES {
                return Err(LineError::new(format!(
                    "the {what} name is empty or longer than {MAX_NAME_BYTES} bytes"
                )));
            }
        }
        Ok(())
    }
}

/// The latest time an event may carry: the end of the year 9999 (unix milliseconds).
pub const MAX_TIME_MS: i64 = 253_402_300_799_999;
/// The latest study day an event may name: the last day of the year 9999.
pub const MAX_DAY: i64 = 2_932_896;
/// The longest an answer may have taken: what Anki's log can hold (about 24.8 days).
pub const MAX_DURATION_MS: i64 = i32::MAX as i64;
/// The largest seed a note may carry, so its cards' fuzz ids (`seed * 64 + ord`) fit.
pub const MAX_SEED: i64 = 1 << 52;

/// `value` must lie in `low..=high`.
fn within(what: &str, value: i64, low: i64, high: i64) -> Result<(), LineError> {
    if (low..=high).contains(&value) {
        Ok(())
    } else {
        Err(LineError::new(format!(
            "the {what} {value} is outside {low} to {high}"
        )))
    }
}

/// Puts events in the order the merge applies them: by time, then device, then sequence,
/// where a device's time never goes back along its own sequence (each event counts as at
/// least as late as the one before it on that device). So a device whose clock was set back
/// (an NTP correction, a time zone mistake) still has its own events in the order it made
/// them, and every collection sorts the same events the same way.
pub fn in_merge_order(mut events: Vec<Event>) -> Vec<Event> {
    events.sort_by(|a, b| a.device.cmp(&b.device).then(a.seq.cmp(&b.seq)));
    let mut keyed: Vec<(i64, Event)> = Vec::with_capacity(events.len());
    let mut latest: Option<(DeviceId, i64)> = None;
    for event in events {
        let time = match &latest {
            Some((device, time)) if *device == event.device => event.at_ms.max(*time),
            _ => event.at_ms,
        };
        latest = Some((event.device.clone(), time));
        keyed.push((time, event));
    }
    keyed.sort_by(|(ta, a), (tb, b)| {
        ta.cmp(tb)
            .then_with(|| a.device.cmp(&b.device))
            .then(a.seq.cmp(&b.seq))
    });
    keyed.into_iter().map(|(_, event)| event).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn device() -> DeviceId {
        DeviceId::parse("0123456789abcdef0123456789abcdef").unwrap()
    }

    fn card() -> CardRef {
        CardRef {
            note: "ml-basics/overfitting".into(),
            ord: 0,
        }
    }

    pub(crate) fn one_of_each(device: &DeviceId) -> Vec<Event> {
        let bodies = vec![
            Body::Answer(Answer {
                id: answer_id(device, 1),
                card: card(),
                reviewed_at_ms: 1_733_000_000_000,
                day: 20_058,
                rating: 3,
                duration_ms: 4_200,
                kind: AnswerKind::Schedule,
                scheduler: "fsrs".into(),
                settings: json!({"desired_retention": 0.9}),
            }),
            Body::NoteAdd(NoteAdd {
                note: "ml-basics/dropout".into(),
                deck: "ml-basics".into(),
                key: "dropout".into(),
                notetype: "vocab".into(),
                notetype_def: None,
                seed: 7,
                fields: json!({"term": "dropout", "definition": "zeroing units at random"})
                    .as_object()
                    .unwrap()
                    .clone(),
                untouched: true,
            }),
            Body::NoteEdit(NoteEdit {
                note: "ml-basics/dropout".into(),
                field: "definition".into(),
                value: "randomly zeroing activations\n\"ünïcode\" \u{1b}[31m \u{202e}".into(),
            }),
            Body::NoteDelete(NoteDelete {
                note: "ml-basics/dropout".into(),
            }),
            Body::Suspend(CardEvent { card: card() }),
            Body::Unsuspend(CardEvent { card: card() }),
            Body::Bury(Bury {
                card: card(),
                until_day: Some(20_059),
            }),
            Body::Setting(Setting {
                key: "new_per_day".into(),
                value: json!(20),
            }),
        ];
        bodies
            .into_iter()
            .enumerate()
            .map(|(i, body)| {
                Event::new(
                    device.clone(),
                    i as u64 + 1,
                    1_733_000_000_000 + i as i64,
                    body,
                )
            })
            .collect()
    }

    #[test]
    fn every_kind_round_trips_through_one_line() {
        for event in one_of_each(&device()) {
            let line = event.to_line().unwrap();
            assert_eq!(line.last(), Some(&b'\n'));
            assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
            let back = Event::from_line(&line[..line.len() - 1]).unwrap();
            assert_eq!(back, event, "{}", String::from_utf8_lossy(&line));
        }
    }

    #[test]
    fn an_unknown_kind_is_kept_and_written_back_unchanged() {
        let line = br#"{"v":2,"device":"0123456789abcdef0123456789abcdef","seq":9,"at_ms":5,"kind":"tag_rename","data":{"from":"a","to":"b"}}"#;
        let event = Event::from_line(line).unwrap();
        assert_eq!(
            event.body,
            Body::Unknown {
                kind: "tag_rename".into(),
                data: r#"{"from":"a","to":"b"}"#.into()
            }
        );
        let again = event.to_line().unwrap();
        assert_eq!(&again[..again.len() - 1], &line[..]);
    }

    #[test]
    fn a_newer_versions_answer_with_new_fields_is_kept_not_damage() {
        let line = br#"{"v":2,"device":"0123456789abcdef0123456789abcdef","seq":1,"at_ms":5,"kind":"note_delete","data":{"note":"x","why":"dup"}}"#;
        assert!(matches!(
            Event::from_line(line).unwrap().body,
            Body::Unknown { .. }
        ));
        // The same line at our version is damage, with a column inside the line.
        let ours = String::from_utf8_lossy(line).replace("\"v\":2", "\"v\":1");
        let error = Event::from_line(ours.as_bytes()).unwrap_err();
        assert!(error.message.contains("why"), "{}", error.message);
        assert!(error.column.unwrap() > 90, "{:?}", error.column);
    }

    #[test]
    fn hostile_lines_are_refused_with_a_reason() {
        let cases: Vec<(&str, &str)> = vec![
            ("{", "does not parse"),
            ("[]", "does not parse"),
            (
                r#"{"v":1,"device":"../../etc","seq":1,"at_ms":0,"kind":"setting","data":{"key":"k","value":1}}"#,
                "device id",
            ),
            (
                r#"{"v":1,"device":"0123456789abcdef0123456789abcdef","seq":0,"at_ms":0,"kind":"setting","data":{"key":"k","value":1}}"#,
                "sequence",
            ),
            (
                r#"{"v":1,"device":"0123456789abcdef0123456789abcdef","seq":3,"at_ms":0,"kind":"setting","data":{"key":"","value":1}}"#,
                "empty",
            ),
            (
                r#"{"v":1,"device":"0123456789abcdef0123456789abcdef","seq":3,"at_ms":0,"kind":"answer","data":{"id":"someone-else-1","card":{"note":"n","ord":0},"reviewed_at_ms":0,"day":0,"rating":3,"duration_ms":0,"kind":"drill","scheduler":"sm2"}}"#,
                "not its device and sequence",
            ),
        ];
        let device = "0123456789abcdef0123456789abcdef";
        let answer = |card: &str, at: i64, data: &str| {
            format!(
                r#"{{"v":1,"device":"{device}","seq":3,"at_ms":{at},"kind":"answer","data":{{"id":"{device}-3","card":{{"note":"n","ord":{card}}},{data},"kind":"schedule","scheduler":"sm2"}}}}"#
            )
        };
        let ok = r#""reviewed_at_ms":5,"day":20000,"rating":3,"duration_ms":10"#;
        assert!(Event::from_line(answer("0", 5, ok).as_bytes()).is_ok());
        let bounded = vec![
            (answer("0", -1, ok), "at_ms -1"),
            (answer("0", i64::MAX, ok), "at_ms"),
            (answer("64", 5, ok), "ord 64"),
            (
                answer(
                    "0",
                    5,
                    r#""reviewed_at_ms":-5,"day":20000,"rating":3,"duration_ms":10"#,
                ),
                "reviewed_at_ms -5",
            ),
            (
                answer(
                    "0",
                    5,
                    &format!(
                        r#""reviewed_at_ms":5,"day":{},"rating":3,"duration_ms":10"#,
                        i64::MAX
                    ),
                ),
                "the day",
            ),
            (
                answer(
                    "0",
                    5,
                    r#""reviewed_at_ms":5,"day":-3,"rating":3,"duration_ms":10"#,
                ),
                "the day -3",
            ),
            (
                answer(
                    "0",
                    5,
                    r#""reviewed_at_ms":5,"day":20000,"rating":255,"duration_ms":10"#,
                ),
                "rating 255",
            ),
            (
                answer(
                    "0",
                    5,
                    r#""reviewed_at_ms":5,"day":20000,"rating":3,"duration_ms":4611686018427387904"#,
                ),
                "duration_ms",
            ),
            (
                format!(
                    r#"{{"v":1,"device":"{device}","seq":3,"at_ms":0,"kind":"note_add","data":{{"note":"d/k","deck":"d","notetype":"vocab","seed":{},"fields":{{}}}}}}"#,
                    i64::MAX
                ),
                "seed",
            ),
            (
                format!(
                    r#"{{"v":1,"device":"{device}","seq":3,"at_ms":0,"kind":"bury","data":{{"card":{{"note":"n","ord":0}},"until_day":-9}}}}"#
                ),
                "until_day -9",
            ),
        ];
        let cases = cases
            .into_iter()
            .map(|(line, expected)| (line.to_string(), expected));
        for (line, expected) in bounded.into_iter().chain(cases) {
            let error = Event::from_line(line.as_bytes()).unwrap_err();
            assert!(
                error.message.contains(expected),
                "{line}: {}",
                error.message
            );
        }
        let long = "x".repeat(MAX_LINE_BYTES);
        assert!(Event::from_line(long.as_bytes()).is_err());
    }

    fn setting_at(device: &DeviceId, seq: u64, at_ms: i64) -> Event {
        Event::new(
            device.clone(),
            seq,
            at_ms,
            Body::Setting(Setting {
                key: "k".into(),
                value: json!(seq),
            }),
        )
    }

    fn order(events: Vec<Event>) -> Vec<(char, u64)> {
        in_merge_order(events)
            .iter()
            .map(|e| (e.device.as_str().chars().next().unwrap_or('?'), e.seq))
            .collect()
    }

    #[test]
    fn a_clock_set_back_does_not_reorder_a_devices_own_events() {
        let a = DeviceId::parse(&"a".repeat(32)).unwrap();
        let b = DeviceId::parse(&"b".repeat(32)).unwrap();
        // A's clock went back five minutes between its first and second event.
        let events = vec![
            setting_at(&a, 2, 1_000_000 - 300_000),
            setting_at(&b, 1, 900_000),
            setting_at(&a, 1, 1_000_000),
            setting_at(&b, 2, 1_100_000),
        ];
        assert_eq!(order(events), vec![('b', 1), ('a', 1), ('a', 2), ('b', 2)]);
    }

    #[test]
    fn the_merge_order_is_the_same_whatever_order_events_arrive_in() {
        let a = DeviceId::parse(&"a".repeat(32)).unwrap();
        let b = DeviceId::parse(&"b".repeat(32)).unwrap();
        let events = vec![
            setting_at(&a, 1, 10),
            setting_at(&b, 1, 10),
            setting_at(&a, 2, 10),
            setting_at(&b, 2, 5),
        ];
        let forward = order(events.clone());
        let backward = order(events.into_iter().rev().collect());
        assert_eq!(forward, backward);
        // Ties in time go by device, then sequence; B's 2 counts as late as its 1.
        assert_eq!(forward, vec![('a', 1), ('a', 2), ('b', 1), ('b', 2)]);
    }

    #[test]
    fn an_answer_made_after_its_event_is_refused() {
        let mut event = one_of_each(&device()).remove(0);
        event.at_ms += 1;
        assert!(
            event.to_line().is_ok(),
            "an event may count later than its answer"
        );
        event.at_ms -= 2;
        assert!(
            event
                .to_line()
                .unwrap_err()
                .message
                .contains("reviewed_at_ms")
        );
    }

    #[test]
    fn an_event_too_long_for_one_line_is_refused_on_write() {
        let event = Event::new(
            device(),
            1,
            0,
            Body::NoteEdit(NoteEdit {
                note: "n".into(),
                field: "f".into(),
                value: "é".repeat(MAX_LINE_BYTES / 2),
            }),
        );
        assert!(event.to_line().unwrap_err().message.contains("limit"));
    }
}

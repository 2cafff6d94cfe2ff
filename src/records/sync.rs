//! What the store keeps for sync (issue 20) and hands to the merge engine: this collection's
//! place in the folder, the other devices' cursors, the last published or merged value of
//! every note field with its stamp, and the local rows the engine turns into events.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::scheduler::CardState;
use crate::scheduler::replay::ReviewKind;

/// Who wrote a value and when, in the merge's order: time, then device, then sequence.
/// The derived order compares the fields in this order, which is that rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    pub order_ms: i64,
    pub device: String,
    pub seq: u64,
}

/// A value with the stamp of the event that set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped {
    pub value: String,
    pub stamp: Stamp,
}

/// This collection in the sync folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncState {
    pub device: String,
    pub instance: String,
    pub dir: PathBuf,
    pub next_seq: u64,
    /// The order time of our latest event: the next is never earlier.
    pub last_order_ms: i64,
    /// Reviews up to this id were looked at for publishing.
    pub published_review_id: i64,
    pub last_sync_ms: Option<i64>,
}

/// Another device, as far as we have read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub device: String,
    /// `sync::segment::Cursor` as JSON.
    pub cursor: String,
    pub last_seq: u64,
    pub last_order_ms: i64,
    pub last_at_ms: Option<i64>,
    pub seen_ms: Option<i64>,
    pub events: u64,
}

/// A note type as a row of `notetypes`, to travel with the notes that use it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NotetypeRow {
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub anki_id: Option<i64>,
    pub fields: String,
    pub templates: String,
    #[serde(default)]
    pub css: String,
    #[serde(default)]
    pub extra: String,
}

/// A note as it stands here, for publishing: its identity and every column that travels,
/// by name (`term`, `definition`, `example`, `aliases`, `tags`, `related`, `source`, `guid`,
/// `fields`, `cards`, `card_span`), as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalNote {
    pub note_id: i64,
    pub deck: String,
    pub key: String,
    /// `vocab`, or the type's row.
    pub notetype: Option<NotetypeRow>,
    pub seed: i64,
    /// When it was made here and last changed (unix seconds).
    pub created_secs: i64,
    pub modified_secs: i64,
    pub columns: BTreeMap<String, String>,
}

/// What the folder knows of a note (a `sync_notes` row).
#[derive(Debug, Clone, PartialEq)]
pub struct ShadowNote {
    pub gid: String,
    pub note_id: Option<i64>,
    pub deck: String,
    pub notetype: String,
    pub fields: BTreeMap<String, Stamped>,
    pub seed: i64,
    pub add: Stamp,
    pub deleted: Option<Stamp>,
}

/// A local answer not yet published.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalAnswer {
    pub review_id: i64,
    pub note_id: i64,
    pub ord: u32,
    pub reviewed_at_ms: i64,
    pub day: i64,
    pub quality: u8,
    pub duration_ms: i64,
    pub kind: ReviewKind,
    pub scheduler: String,
    /// `scheduler::Settings::body` of the settings it was made with.
    pub settings_body: String,
    /// The state the log gives the card after it (adopted on replay for imported and
    /// rescheduled rows).
    pub after: CardState,
}

/// An answer as the merge writes it into a card's log.
#[derive(Debug, Clone, PartialEq)]
pub struct MergedAnswer {
    pub gid: String,
    pub order_ms: i64,
    pub reviewed_at_ms: i64,
    pub day: i64,
    pub quality: u8,
    pub duration_ms: i64,
    pub kind: ReviewKind,
    pub scheduler: String,
    /// The state the event carries after it: the placeholder of a row not yet replayed,
    /// and the state an imported or rescheduled row keeps.
    pub carried: CardState,
}

/// One row of a card's log as the replay reads it back: its id, its global id and order
/// time, what replay needs, and the states it holds now.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRow {
    pub review_id: i64,
    pub gid: Option<String>,
    pub order_ms: i64,
    pub reviewed_at_ms: i64,
    pub day: i64,
    pub quality: u8,
    pub kind: ReviewKind,
    pub scheduler: String,
    pub settings_body: Option<String>,
    pub fuzz: bool,
    pub max_interval: u32,
    pub before: CardState,
    pub after: CardState,
    pub retrievability: Option<f32>,
}

/// A card's suspension and burial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardFlags {
    pub card_id: i64,
    pub suspended: bool,
    pub buried_day: Option<i64>,
}

/// A card's flags as last published or merged (`sync_cards`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShadowCard {
    pub gid: String,
    pub ord: u32,
    pub suspended: bool,
    pub suspend_stamp: Option<Stamp>,
    pub buried_day: Option<i64>,
    pub bury_stamp: Option<Stamp>,
}

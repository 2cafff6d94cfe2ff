//! The queue's records: the cards `store/` finds for a session and `session/` orders.

use crate::scheduler::Phase;

/// A card waiting in the queue, with what the session needs to order it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuedCard {
    pub card_id: i64,
    pub note_id: i64,
    pub phase: Phase,
}

//! A fingerprint of a collection's content, the same on every device that has read the same
//! events: its notes (by global id), every card's state and flags, and every answer, each
//! written as a line in an order that does not depend on local ids, then hashed (SHA-256).

use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::store::Collection;

impl Collection {
    /// The fingerprint's 64 hex digits, and how many notes, cards with a state and answers
    /// it covers.
    pub fn content_fingerprint(&self) -> Result<(String, [u64; 3])> {
        let conn = self.conn();
        let name = "coalesce(g.gid, 'local:' || d.name || '/' || n.key)";
        let mut notes: Vec<String> = {
            let sql = format!(
                "SELECT {name}, d.name, t.kind, t.name, coalesce(n.seed, n.id),
                        json_array(n.term, n.definition, n.example, n.aliases, n.tags, n.related, n.source,
                                   coalesce(n.guid, ''), coalesce(n.fields, ''), n.cards, n.card_span)
                 FROM notes n JOIN decks d ON d.id = n.deck_id JOIN notetypes t ON t.id = n.notetype_id
                 LEFT JOIN sync_notes g ON g.note_id = n.id"
            );
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map([], |r| {
                Ok(format!(
                    "note\t{}\t{}\t{}\t{}\t{}\t{}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        notes.sort_unstable();
        let mut cards: Vec<String> = {
            let sql = format!(
                "SELECT {name} || '#' || (c.id % 64),
                        json_array(c.phase, c.due_day, c.due_at, c.interval_days, c.ease_permille,
                                   c.repetitions, c.lapses, c.step, c.suspended, c.buried_day,
                                   c.stability, c.difficulty)
                 FROM card_states c JOIN notes n ON n.id = c.note_id JOIN decks d ON d.id = n.deck_id
                 LEFT JOIN sync_notes g ON g.note_id = n.id
                 WHERE NOT (c.phase = 'new' AND c.due_day IS NULL AND c.due_at IS NULL
                     AND c.interval_days = 0 AND c.ease_permille = 2500 AND c.repetitions = 0
                     AND c.lapses = 0 AND c.step = 0 AND c.suspended = 0 AND c.buried_day IS NULL
                     AND c.stability IS NULL)"
            );
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map([], |r| {
                Ok(format!(
                    "card\t{}\t{}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?
                ))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        cards.sort_unstable();
        let mut answers: Vec<String> = {
            let sql = format!(
                "SELECT coalesce(r.gid, 'local'), {name} || '#' || (r.card_id % 64),
                        json_array(r.reviewed_at, r.day, r.quality, r.duration_ms, r.kind, r.scheduler,
                                   s.body, r.phase_before, r.due_day_before, r.due_at_before, r.interval_before,
                                   r.ease_before, r.reps_before, r.lapses_before, r.step_before,
                                   r.phase_after, r.due_day_after, r.due_at_after, r.interval_after,
                                   r.ease_after, r.reps_after, r.lapses_after, r.step_after,
                                   r.stability_after, r.difficulty_after)
                 FROM reviews r JOIN notes n ON n.id = r.card_id / 64 JOIN decks d ON d.id = n.deck_id
                 LEFT JOIN sync_notes g ON g.note_id = n.id
                 LEFT JOIN scheduler_settings s ON s.id = r.settings_id"
            );
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map([], |r| {
                Ok(format!(
                    "answer\t{}\t{}\t{}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?
                ))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        answers.sort_unstable();
        let mut hash = Sha256::new();
        for line in notes.iter().chain(&cards).chain(&answers) {
            hash.update(line.as_bytes());
            hash.update(b"\n");
        }
        let digest = hash.finalize();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        Ok((
            hex,
            [notes.len() as u64, cards.len() as u64, answers.len() as u64],
        ))
    }
}

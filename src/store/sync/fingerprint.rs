//! A fingerprint of a collection's content, the same on every device that has read the same
//! events: its notes (by global id), every card's flags and state, every answer (in the log,
//! or kept aside with a deleted note, by global id) and the settings that travel, each
//! written as a line in an order that does not depend on local ids, then hashed (SHA-256).

use rusqlite::OptionalExtension;
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::store::Collection;

// A card with answers is covered by its latest row's state: the card's own is that one
// converted to this machine's scheduler when the two differ (the scheduler is each machine's),
// and `check` proves the card's own is the replay of its log here.
impl Collection {
    /// The fingerprint's 64 hex digits, and how many notes, cards with a state and answers
    /// it covers. `settings` names the settings that travel (the merge's list): their values
    /// are covered too, the others are each machine's own.
    pub fn content_fingerprint(&self, settings: &[&str]) -> Result<(String, [u64; 3])> {
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
                        json_array(c.suspended, c.buried_day, coalesce(
                            (SELECT json_array(r.phase_after, r.due_day_after, r.due_at_after,
                                        r.interval_after, r.ease_after, r.reps_after,
                                        r.lapses_after, r.step_after, r.stability_after,
                                        r.difficulty_after)
                             FROM reviews r INDEXED BY reviews_card WHERE r.card_id = c.id
                             ORDER BY r.id DESC LIMIT 1),
                            json_array(c.phase, c.due_day, c.due_at, c.interval_days,
                                       c.ease_permille, c.repetitions, c.lapses, c.step,
                                       c.stability, c.difficulty)))
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
        // Answers kept with a deleted note: whether each is here, not how it is kept (a
        // published one as its event, one never published as its row).
        let mut kept: Vec<String> = {
            let mut stmt = conn.prepare(
                "SELECT 'kept' || char(9) || coalesce(gid, 'local:' || note || char(9) || body)
                 FROM deleted_answers",
            )?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        kept.sort_unstable();
        let mut travelling: Vec<String> = Vec::with_capacity(settings.len());
        {
            let mut stmt = conn.prepare_cached("SELECT value FROM config WHERE key = ?1")?;
            for key in settings {
                let value: Option<String> = stmt.query_row([key], |r| r.get(0)).optional()?;
                travelling.push(format!("setting\t{key}\t{}", value.unwrap_or_default()));
            }
        }
        travelling.sort_unstable();
        let mut hash = Sha256::new();
        for line in notes
            .iter()
            .chain(&cards)
            .chain(&answers)
            .chain(&kept)
            .chain(&travelling)
        {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_covers_the_settings_that_travel_and_the_kept_answers_only() {
        let travelling = ["new_per_day"];
        let collection = Collection::open_in_memory().unwrap();
        let print = |c: &Collection| c.content_fingerprint(&travelling).unwrap().0;
        let empty = print(&collection);
        collection.set_config("rollover_hour", "6", 1).unwrap();
        assert_eq!(print(&collection), empty, "a machine's own setting");
        collection.set_config("new_per_day", "7", 1).unwrap();
        let with_limit = print(&collection);
        assert_ne!(with_limit, empty, "a setting that travels");
        collection
            .conn()
            .execute(
                "INSERT INTO deleted_answers (gid, note, body) VALUES ('d-1', 'T/a', '{}')",
                [],
            )
            .unwrap();
        assert_ne!(
            print(&collection),
            with_limit,
            "an answer kept with a deleted note"
        );
    }
}

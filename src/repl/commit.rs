//! Committing an answer in the review: the scheduler's outcome, the log row written (waiting
//! while another jargon writes), the session told where the card goes next, and the line
//! that says what the answer did.

use super::render::{Style, plural};
use std::time::Instant;

use super::{ANSWER_KEPT, Frontend, Review, UndoEntry, has_steps, interrupt};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::model::{Card, Note};
use crate::scheduler::replay::ReviewKind;
use crate::scheduler::{Answer, CardState, Due, Moment, Quality, describe_interval_days};
use crate::session::Next;
use crate::store::reviews::NewReview;

/// The pauses between tries to save an answer while the collection is busy.
const FIRST_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(100);
const MAX_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_secs(2);
const RETRY_SLICE: std::time::Duration = std::time::Duration::from_millis(20);

impl Review<'_> {
    pub(super) fn commit(
        &mut self,
        ui: &mut dyn Frontend,
        card: &Card,
        note: &Note,
        redrill: bool,
        quality: Quality,
        duration_ms: i64,
    ) -> Result<()> {
        let style = ui.style();
        let now = self.now();
        let (ready, moment) = self.prepared(card)?;
        let (kind, outcome) = if self.cram {
            (ReviewKind::Cram, None)
        } else if redrill {
            (ReviewKind::Drill, None)
        } else {
            let outcome =
                self.config
                    .scheduler
                    .answer(&ready, quality, &moment, &self.config.scheduling)?;
            (ReviewKind::Schedule, Some(outcome))
        };
        let after = outcome.map_or(card.state, |o| o.state);
        let became_leech = outcome.is_some_and(|o| o.became_leech);
        let suspend = became_leech && self.config.leech_suspend;
        let review = NewReview {
            card_id: card.id,
            reviewed_at_ms: now.timestamp_millis(),
            day: moment.today,
            quality,
            duration_ms,
            kind,
            scheduler: self.config.scheduler,
            settings: self.config.scheduling,
            retrievability: outcome.and_then(|o| o.retrievability),
        };
        let review_id = self.save_answer(ui, &review, &card.state, &after, suspend)?;
        let next = match after.due {
            _ if !has_steps(self.config.scheduler) || kind != ReviewKind::Schedule => None,
            Due::At(at) if at < self.day_end => Some(Next::StepAt(at)),
            _ => Some(Next::Leave),
        };
        match next {
            Some(next) => self.session.answer_then(quality, next),
            None => self.session.answer(quality),
        };
        self.undo.push(UndoEntry::Answer {
            review_id,
            suspended: suspend,
            term: note.fields.term.clone(),
        });
        let line = self.answer_line(&style, kind, &after, quality, &moment, next.is_none());
        ui.print(&line)?;
        if became_leech {
            self.say_leech(ui, &after, suspend)?;
        }
        Ok(())
    }

    /// Commits an answer, waiting while another jargon writes to the collection: the answer
    /// is kept, the learner is told once, and the commit is tried again after a pause that
    /// doubles up to [`MAX_RETRY_PAUSE`] (each try itself waits SQLite's busy timeout). The
    /// next card is never shown before the answer is saved; any other failure (a conflict
    /// with another session included) ends the session with its sentence. Ctrl-C during the
    /// wait (see [`interrupt`]) asks for one last try: saved, the session then ends with its
    /// summary; still busy, the session ends saying the answer was not saved.
    fn save_answer(
        &mut self,
        ui: &mut dyn Frontend,
        review: &NewReview,
        before: &CardState,
        after: &CardState,
        suspend: bool,
    ) -> Result<i64> {
        let mut pause = FIRST_RETRY_PAUSE;
        // Created at the first busy answer: from then on Ctrl-C asks for one last try
        // instead of ending jargon with the answer unsaved.
        let mut deferred: Option<interrupt::Deferred> = None;
        loop {
            match self
                .collection
                .commit_answer(review, before, after, suspend)
            {
                Err(e) if e.is_busy() && deferred.as_ref().is_some_and(|d| d.pressed()) => {
                    return Err(Error::failed(format!(
                        "the answer was not saved (Ctrl-C while it waited): {}",
                        e.in_collection(self.collection.path())
                    )));
                }
                Err(e) if e.is_busy() => {
                    let waiting = match deferred {
                        Some(ref waiting) => waiting,
                        None => {
                            // Ctrl-C is caught before the learner is told, so one pressed
                            // on reading the line is never missed.
                            let waiting = deferred.insert(interrupt::Deferred::begin());
                            ui.print(&ui.style().yellow(&format!("  {ANSWER_KEPT}")))?;
                            waiting
                        }
                    };
                    // Sleep in short slices so Ctrl-C leads to the last try at once.
                    let until = Instant::now() + pause;
                    while Instant::now() < until && !waiting.pressed() {
                        std::thread::sleep(RETRY_SLICE);
                    }
                    pause = (pause * 2).min(MAX_RETRY_PAUSE);
                }
                // Say which answer was lost, with the collection's own sentence.
                Err(e) if e.db_failure().is_some() => {
                    return Err(Error::failed(format!(
                        "the answer was not saved: {}",
                        e.in_collection(self.collection.path())
                    )));
                }
                saved => {
                    self.interrupted |= deferred.as_ref().is_some_and(|d| d.pressed());
                    return saved;
                }
            }
        }
    }

    /// "  good · next in 12d (Mon 2026-03-13)", "  again · back in 1m (09:01)": what the
    /// answer did, in its button's colour.
    fn answer_line(
        &self,
        style: &Style,
        kind: ReviewKind,
        after: &CardState,
        quality: Quality,
        moment: &Moment,
        redrilled: bool,
    ) -> String {
        let answer = Answer::from_quality(quality);
        let mut message = match (kind, after.due) {
            (ReviewKind::Schedule, Due::At(at)) => format!(
                "{} · back in {} ({})",
                answer.label(),
                // The step as the answer set it, whenever this line is printed.
                super::describe_wait(at - moment.now),
                self.clock_time(at)
            ),
            (ReviewKind::Schedule, _) => {
                let date = Clock::date_of_day(moment.today + i64::from(after.interval_days));
                format!(
                    "{} · next in {} ({})",
                    answer.label(),
                    describe_interval_days(after.interval_days),
                    date.format("%a %Y-%m-%d")
                )
            }
            _ => answer.label().to_string(),
        };
        if redrilled && quality.needs_redrill() {
            message.push_str(" · comes back in a few cards");
        }
        let painted = match answer {
            Answer::Again => style.red(&message),
            Answer::Hard => style.yellow(&message),
            _ => style.green(&message),
        };
        format!("  {painted}")
    }

    /// The card just became a leech (and was suspended, when the config says so).
    fn say_leech(&self, ui: &mut dyn Frontend, after: &CardState, suspended: bool) -> Result<()> {
        let style = ui.style();
        ui.print(&style.yellow(&format!(
            "  This card is a leech ({}){}: consider rewriting it with :edit.",
            plural(usize::try_from(after.lapses).unwrap_or(usize::MAX), "lapse"),
            if suspended {
                " and has been suspended"
            } else {
                ""
            }
        )))
    }
}

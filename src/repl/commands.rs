//! The `:` commands at a card's prompts and at `done>`, and `:edit`.

use super::*;
use crate::store::flag_times::Flag;

impl Review<'_> {
    pub(super) fn unknown(&self, ui: &mut dyn Frontend, text: &str) -> Result<()> {
        let style = ui.style();
        ui.print(&style.yellow(&format!(
            "Unknown command {}: :help lists the commands.",
            crate::text::sanitize(text)
        )))
    }

    /// Commands that do not leave the card: help, related, stats. Others end the card.
    /// `note` is the card's note, none at the `done>` prompt.
    pub(super) fn inline_command(
        &mut self,
        ui: &mut dyn Frontend,
        command: Command,
        note: Option<&Note>,
    ) -> Result<Option<Step>> {
        let style = ui.style();
        match command {
            Command::Help => {
                let mut text = style.wrap(
                    "Answer: Enter reveals; a/h/g/e or 1-4 grade again/hard/good/easy; q0-q5 give an exact SM-2 quality.\nReverse cards: type the term, then Enter accepts the suggested grade or a key overrides it.",
                    "",
                    "",
                ) + "\n";
                for (name, _, help) in COMMANDS {
                    let first = format!("  {name:<10} ");
                    text.push_str(&(style.wrap(help, &first, &" ".repeat(13)) + "\n"));
                }
                ui.print(text.trim_end())?;
                Ok(None)
            }
            Command::Related => {
                if let Some(note) = note {
                    ui.print(&self.related_text(note, &style)?)?;
                }
                Ok(None)
            }
            Command::Stats => {
                let [again, hard, good, easy] = self.session.buttons();
                let text = format!(
                    "This session: {} of {} answered, {} correct, {} re-drilled, {} waiting; again {again} · hard {hard} · good {good} · easy {easy}; {}.",
                    self.session.done(),
                    self.session.total(),
                    self.session.correct(),
                    self.session.redrills_done(),
                    self.session.redrills_waiting(),
                    duration(i64::try_from(self.started.elapsed().as_millis()).unwrap_or(0))
                );
                ui.print(&style.block(&text, "  "))?;
                Ok(None)
            }
            Command::Open(which) => {
                match note {
                    Some(note) => self.open_media(ui, note, which)?,
                    None => {
                        ui.print(&style.dim("No card is shown, so there is nothing to open."))?
                    }
                }
                Ok(None)
            }
            other => Ok(Some(Step::Command(other))),
        }
    }

    /// `:open [N]`: starts the system viewer on the note's media file (the Nth, in the order
    /// its fields reference them; the only one without N) and goes on at once; the viewer
    /// runs on its own. No media, a missing file or a viewer that cannot start is one
    /// sentence.
    fn open_media(&self, ui: &mut dyn Frontend, note: &Note, which: Option<usize>) -> Result<()> {
        let style = ui.style();
        let mut names: Vec<String> = Vec::new();
        for value in &note.values {
            for name in crate::media::references(value) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        let name = match (names.as_slice(), which) {
            ([], _) => return ui.print(&style.dim("This card has no image or sound to open.")),
            ([only], None) => only,
            (_, None) => {
                let listed: Vec<String> = names
                    .iter()
                    .enumerate()
                    .map(|(i, name)| format!("{} {name}", i + 1))
                    .collect();
                return ui.print(&style.block(
                    &format!(
                        "This card has {} files: {}; :open N opens the Nth.",
                        names.len(),
                        listed.join(", ")
                    ),
                    "  ",
                ));
            }
            (_, Some(n)) => match names.get(n - 1) {
                Some(name) => name,
                None => {
                    return ui.print(&style.yellow(&format!(
                        "This card has {}, so there is no file {n} to open.",
                        plural_files(names.len())
                    )));
                }
            },
        };
        let dir = crate::media::MediaDir::for_collection(self.collection.path());
        let Some(file) = dir.file(name) else {
            return ui.print(&style.yellow(&format!(
                "{name} is not in the media folder {} (jargon check lists the missing files).",
                dir.path().display()
            )));
        };
        match crate::media::open_with_viewer(&file) {
            Ok(viewer) => ui.print(&style.dim(&format!(
                "Opening {name} with {}.",
                viewer.to_string_lossy()
            ))),
            Err((viewer, e)) => ui.print(&style.red(&format!(
                "Could not start {} to open {} ({e}); set JARGON_OPENER to your viewer.",
                viewer.to_string_lossy(),
                file.display()
            ))),
        }
    }

    pub(super) fn related_text(&self, note: &Note, style: &Style) -> Result<String> {
        if note.fields.related.is_empty() {
            return Ok("  This note links to no other terms.".to_string());
        }
        let mut lines = vec![];
        for key in &note.fields.related {
            match self.collection.resolve_related(note, key)? {
                Some(other) => lines.push(format!(
                    "{}\n{}",
                    style.bold(&style.block(&other.fields.term, "  ")),
                    style.block(&other.fields.definition, "    ")
                )),
                None => lines.push(style.dim(&format!("  {key} (not in this collection)"))),
            }
        }
        Ok(lines.join("\n"))
    }

    /// Session-level commands; returns false when the session should end.
    pub(super) fn command(
        &mut self,
        ui: &mut dyn Frontend,
        command: Command,
        card: &Card,
        note: &Note,
    ) -> Result<bool> {
        let style = ui.style();
        match command {
            Command::Quit => return Ok(false),
            Command::Undo => {
                self.undo_last(ui)?;
            }
            Command::Skip => {
                self.session.remove_current();
                self.undo.push(UndoEntry::Skip {
                    term: note.fields.term.clone(),
                });
                ui.print(&style.dim("Skipped: the card stays due (:undo brings it back)."))?;
            }
            Command::Bury => {
                let now = self.now();
                let previous_ms = self.collection.flag_time(card.id, Flag::Bury)?;
                self.collection
                    .bury(card.id, self.clock.day_of(now), now.timestamp_millis())?;
                self.session.remove_current();
                self.undo.push(UndoEntry::Bury {
                    card_id: card.id,
                    previous: card.buried_day,
                    previous_ms,
                    term: note.fields.term.clone(),
                });
                ui.print(&style.dim("Buried until tomorrow (:undo brings it back)."))?;
            }
            Command::Suspend => {
                let previous_ms = self.collection.flag_time(card.id, Flag::Suspend)?;
                self.collection
                    .set_suspended(&[card.id], true, self.now().timestamp_millis())?;
                self.session.remove_current();
                self.undo.push(UndoEntry::Suspend {
                    card_id: card.id,
                    previous_ms,
                    term: note.fields.term.clone(),
                });
                ui.print(&style.dim(&format!(
                    "Suspended: :undo or `jargon unsuspend --card {}` brings it back.",
                    card.id
                )))?;
            }
            Command::Edit => self.edit(ui, note)?,
            Command::Help | Command::Related | Command::Stats | Command::Open(_) => {}
        }
        Ok(true)
    }

    pub(super) fn edit(&mut self, ui: &mut dyn Frontend, note: &Note) -> Result<()> {
        let style = ui.style();
        // The editor's TOML holds a vocab note's fields only: a note of another type would
        // lose the rest, so it is edited field by field on the command line.
        if note.fields.rich.is_some() {
            let notetype = self.collection.notetype(note.notetype_id)?;
            return ui.print(&style.yellow(&format!(
                "This note is of type '{}': edit it with `jargon edit '{}/{}' --field NAME=VALUE`.",
                notetype.notetype.name, note.deck, note.fields.key
            )));
        }
        if !ui.can_edit() {
            return ui.print(&style.yellow("Editing needs a terminal; use `jargon edit` instead."));
        }
        let text = crate::deck::toml::write(&note.deck, "", std::slice::from_ref(&note.fields))?;
        let outcome = editor::edit_until_valid(
            &text,
            &mut |path| ui.outside(&mut || editor::run_editor(path)),
            &editor::parse_note,
        );
        let mut fields = match outcome {
            Ok(editor::Outcome::Saved(fields)) => fields,
            Ok(editor::Outcome::Unchanged) => return ui.print(&style.dim("No change.")),
            Ok(editor::Outcome::Emptied) => {
                return ui.print(&style.dim("The file was emptied; nothing was changed."));
            }
            Ok(editor::Outcome::Unfixed(error)) => {
                return ui.print(&style.red(&format!("{error}; nothing was changed.")));
            }
            // The editor failed or could not start: said, and the session goes on.
            Err(e) => return ui.print(&style.red(&e.to_string())),
        };
        fields.key.clone_from(&note.fields.key);
        fields.guid.clone_from(&note.fields.guid);
        self.collection
            .update_note(note.id, &fields, self.now().timestamp())?;
        ui.print(&style.green("Note saved; the card is shown again with the new text."))
    }
}

/// "1 file", "3 files".
fn plural_files(count: usize) -> String {
    crate::repl::render::plural(count, "file")
}

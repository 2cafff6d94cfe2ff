//! Answering a card: the forward card graded by the learner, the reverse card typed and
//! judged (with the slips marked), and the grade the learner confirms.

use std::ops::ControlFlow;

use super::*;

impl Review<'_> {
    /// Term shown; Enter reveals the definition; the learner grades themselves.
    pub(super) fn forward(
        &mut self,
        ui: &mut dyn Frontend,
        card: &Card,
        note: &Note,
        redrill: bool,
    ) -> Result<Step> {
        let style = ui.style();
        ui.print(&style.bold(&style.block(&note.fields.term, "  ")))?;
        self.self_graded(ui, note, &mut |review, ui| {
            review.reveal(ui, card, note, redrill)
        })
    }

    /// `reveal>` until Enter shows the answer (through `reveal`), then `grade>`: the learner
    /// grades themselves; a grade key before Enter shows the answer and grades at once.
    pub(super) fn self_graded(
        &mut self,
        ui: &mut dyn Frontend,
        note: &Note,
        reveal: &mut dyn FnMut(&mut Self, &mut dyn Frontend) -> Result<()>,
    ) -> Result<Step> {
        let style = ui.style();
        let mut revealed = false;
        loop {
            let prompt = if revealed { "grade> " } else { "reveal> " };
            let line = match ui.read_line(prompt)? {
                Read::Line(line) => line,
                Read::Eof | Read::Interrupted => return Ok(Step::End),
            };
            match input::parse(&line) {
                Line::Enter if !revealed => {
                    reveal(self, ui)?;
                    revealed = true;
                }
                Line::Grade(quality) => {
                    if !revealed {
                        reveal(self, ui)?;
                    }
                    return Ok(Step::Answered(quality));
                }
                Line::Enter | Line::Text(_) => {
                    ui.print(&style.yellow("Grade it: a(gain) h(ard) g(ood) e(asy), 1-4, or q0-q5 for an exact SM-2 quality."))?;
                }
                Line::Command(command) => {
                    if let Some(step) = self.inline_command(ui, command, Some(note))? {
                        return Ok(step);
                    }
                }
                Line::UnknownCommand(text) => self.unknown(ui, &text)?,
            }
        }
    }

    /// Definition shown; the learner types the term; the check suggests a grade.
    pub(super) fn reverse(
        &mut self,
        ui: &mut dyn Frontend,
        card: &Card,
        note: &Note,
        redrill: bool,
    ) -> Result<Step> {
        let style = ui.style();
        ui.print(&style.block(&note.fields.definition, "  "))?;
        let typed = match self.read_typed(ui, note, "term> ")? {
            ControlFlow::Continue(typed) => typed,
            ControlFlow::Break(step) => return Ok(step),
        };
        let verdict = self.judge(&typed, note)?;
        ui.print(&format!(
            "  {}",
            verdict_message(&verdict, &typed, note, &style)
        ))?;
        if !note.fields.example.is_empty() {
            ui.print(&style.dim(&style.block(&format!("e.g. {}", note.fields.example), "  ")))?;
        }
        self.print_related_line(ui, note)?;
        ui.print(&self.preview(card, redrill, &style)?)?;
        self.confirm_grade(ui, note, verdict.suggested(self.config.typed_answers))
    }

    /// The typed term (empty for a bare Enter), or the step a command or the end of input
    /// leads to.
    pub(super) fn read_typed(
        &mut self,
        ui: &mut dyn Frontend,
        note: &Note,
        prompt: &str,
    ) -> Result<ControlFlow<Step, String>> {
        loop {
            let line = match ui.read_line(prompt)? {
                Read::Line(line) => line,
                Read::Eof | Read::Interrupted => return Ok(ControlFlow::Break(Step::End)),
            };
            match input::parse(&line) {
                Line::Command(command) => {
                    if let Some(step) = self.inline_command(ui, command, Some(note))? {
                        return Ok(ControlFlow::Break(step));
                    }
                }
                Line::UnknownCommand(text) => self.unknown(ui, &text)?,
                Line::Enter => return Ok(ControlFlow::Continue(String::new())),
                Line::Grade(_) | Line::Text(_) => {
                    return Ok(ControlFlow::Continue(line.trim().to_string()));
                }
            }
        }
    }

    /// Enter takes the suggested grade; a grade key overrides it.
    pub(super) fn confirm_grade(
        &mut self,
        ui: &mut dyn Frontend,
        note: &Note,
        suggested: Answer,
    ) -> Result<Step> {
        let style = ui.style();
        loop {
            let prompt = format!("{}? [Enter] or a/h/g/e> ", suggested.label());
            let line = match ui.read_line(&prompt)? {
                Read::Line(line) => line,
                Read::Eof | Read::Interrupted => return Ok(Step::End),
            };
            match input::parse(&line) {
                Line::Enter => return Ok(Step::Answered(suggested.quality())),
                Line::Grade(quality) => return Ok(Step::Answered(quality)),
                Line::Text(_) => ui.print(&style.yellow(&format!(
                    "Enter accepts {}; or override with a/h/g/e, 1-4, q0-q5.",
                    suggested.label()
                )))?,
                Line::Command(command) => {
                    if let Some(step) = self.inline_command(ui, command, Some(note))? {
                        return Ok(step);
                    }
                }
                Line::UnknownCommand(text) => self.unknown(ui, &text)?,
            }
        }
    }

    /// The verdict on a typed answer. When it is not the card's own term or alias, the
    /// notes whose term or alias it is are looked up (the lexicon is built at the first such
    /// answer of the session, so a session of right answers never pays for it).
    pub(super) fn judge(&mut self, typed: &str, note: &Note) -> Result<Verdict> {
        let fields = &note.fields;
        let first = matcher::check(typed, &fields.term, &fields.aliases, &[]);
        if matches!(first, Verdict::Exact { .. } | Verdict::Blank) {
            return Ok(first);
        }
        let lexicon = match &mut self.lexicon {
            Some(lexicon) => lexicon,
            slot => {
                let mut lexicon = matcher::Lexicon::default();
                self.collection
                    .each_answer_form(|id, form| lexicon.add(id, form))?;
                lexicon.finish();
                slot.insert(lexicon)
            }
        };
        let mut others = vec![];
        for id in lexicon.notes_for(typed, note.id) {
            let other = self.collection.note(id)?;
            others.push(matcher::OtherNote {
                note_id: other.id,
                term: other.fields.term,
                deck: other.deck,
                aliases: other.fields.aliases,
            });
        }
        if others.is_empty() {
            return Ok(first);
        }
        Ok(matcher::check(
            typed,
            &fields.term,
            &fields.aliases,
            &others,
        ))
    }
}

/// What the check says about a typed answer: right (or an alias), close with the slips
/// marked, another note's term or alias (named with its deck), wrong, or blank.
fn verdict_message(verdict: &Verdict, typed: &str, note: &Note, style: &Style) -> String {
    let term = crate::text::sanitize(&note.fields.term);
    match verdict {
        Verdict::Exact { matched } if normalize_eq(matched, &note.fields.term) => {
            style.green(&format!("✓ {term}"))
        }
        Verdict::Exact { matched } => style.green(&format!(
            "✓ {} (an alias of {term})",
            crate::text::sanitize(matched)
        )),
        Verdict::Typo { .. } => format!(
            "{} {}",
            style.yellow("≈ close:"),
            mark_difference(typed, &note.fields.term, style)
        ),
        Verdict::Another {
            note: other,
            matched,
        } => format!(
            "{} {}; {} is {} (deck {})",
            style.red("✗ expected"),
            style.bold(&term),
            crate::text::sanitize(typed),
            if matcher::answer_key(matched) == matcher::answer_key(&other.term) {
                format!(
                    "another note's term: {}",
                    crate::text::sanitize(&other.term)
                )
            } else {
                format!(
                    "an alias of another note: {}",
                    crate::text::sanitize(&other.term)
                )
            },
            crate::text::sanitize(&other.deck)
        ),
        Verdict::Wrong => format!(
            "{} {} (you typed: {})",
            style.red("✗ expected"),
            style.bold(&term),
            crate::text::sanitize(typed)
        ),
        Verdict::Blank => format!("{} {}", style.red("✗ the term is"), style.bold(&term)),
    }
}

fn normalize_eq(a: &str, b: &str) -> bool {
    crate::text::normalize(a) == crate::text::normalize(b)
}

/// The expected term with the learner's slips marked, followed by what was typed: letters
/// of the term that were missed or typed wrong in brackets (`embed[d]ing`, swapped ones
/// together: `de[sc]ent`), letters typed that do not belong in braces (`embedd{d}ing`);
/// coloured where colour is allowed. Letters are aligned along a shortest edit path over
/// their folded forms; spaces and punctuation are shown as the term has them.
fn mark_difference(typed: &str, expected: &str, style: &Style) -> String {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Plain,
        Missed,
        Extra,
    }
    let fold_char = |c: &char| crate::text::fold(&c.to_string());
    let shown: Vec<char> = crate::text::sanitize(expected).chars().collect();
    let letters: Vec<usize> = (0..shown.len())
        .filter(|i| shown[*i].is_alphanumeric())
        .collect();
    let expected_folded: Vec<String> = letters.iter().map(|i| fold_char(&shown[*i])).collect();
    let typed_letters: Vec<char> = typed.chars().filter(|c| c.is_alphanumeric()).collect();
    let typed_folded: Vec<String> = typed_letters.iter().map(fold_char).collect();
    let mut marked: Vec<(Mark, char)> = vec![];
    let mut next = 0;
    let mut take = |marked: &mut Vec<(Mark, char)>, letter: usize, mark: Mark| {
        let at = letters[letter];
        marked.extend(shown[next..at].iter().map(|c| (Mark::Plain, *c)));
        marked.push((mark, shown[at]));
        next = at + 1;
    };
    for step in matcher::align(&expected_folded, &typed_folded) {
        match step {
            matcher::Step::Same(k) => take(&mut marked, k, Mark::Plain),
            matcher::Step::Missed(k) => take(&mut marked, k, Mark::Missed),
            matcher::Step::Swapped(k) => {
                take(&mut marked, k, Mark::Missed);
                take(&mut marked, k + 1, Mark::Missed);
            }
            matcher::Step::Extra(j) => marked.push((Mark::Extra, typed_letters[j])),
        }
    }
    marked.extend(shown[next..].iter().map(|c| (Mark::Plain, *c)));
    let mut out = String::new();
    let mut run = String::new();
    let flush = |out: &mut String, run: &mut String, mark: Mark| {
        if run.is_empty() {
            return;
        }
        out.push_str(&match (mark, style.colour) {
            (Mark::Plain, _) => run.clone(),
            (Mark::Missed, true) => style.bold(&style.red(run)),
            (Mark::Missed, false) => format!("[{run}]"),
            (Mark::Extra, _) => style.yellow(&format!("{{{run}}}")),
        });
        run.clear();
    };
    let mut current = Mark::Plain;
    for (mark, c) in marked {
        if mark != current {
            flush(&mut out, &mut run, current);
            current = mark;
        }
        run.push(c);
    }
    flush(&mut out, &mut run, current);
    format!("{out} (you typed: {})", crate::text::sanitize(typed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_verdict_on_a_typed_term_is_said_in_its_own_words() {
        let plain = Style::plain();
        let note = Note {
            id: 1,
            deck_id: 1,
            deck: "ML".into(),
            fields: crate::model::NoteFields {
                term: "gradient descent".into(),
                aliases: vec!["GD".into()],
                ..Default::default()
            },
            notetype_id: crate::model::VOCAB_NOTETYPE,
            values: vec![],
        };
        let other = |matched: &str| Verdict::Another {
            note: matcher::OtherNote {
                note_id: 2,
                term: "learning rate".into(),
                deck: "ML::Training".into(),
                aliases: vec!["step size".into()],
            },
            matched: matched.into(),
        };
        let said = |verdict: &Verdict, typed: &str| verdict_message(verdict, typed, &note, &plain);
        let exact = |matched: &str| Verdict::Exact {
            matched: matched.into(),
        };
        assert_eq!(
            said(&exact("Gradient Descent"), "gradient  descent"),
            "✓ gradient descent"
        );
        assert_eq!(
            said(&exact("GD"), "gd"),
            "✓ GD (an alias of gradient descent)"
        );
        let typo = Verdict::Typo {
            matched: "gradient descent".into(),
            edits: 1,
        };
        assert_eq!(
            said(&typo, "gradient decsent"),
            "≈ close: gradient de[sc]ent (you typed: gradient decsent)"
        );
        assert_eq!(
            said(&other("learning rate"), "learning rate"),
            "✗ expected gradient descent; learning rate is another note's term: learning rate (deck ML::Training)"
        );
        assert_eq!(
            said(&other("step size"), "step size"),
            "✗ expected gradient descent; step size is an alias of another note: learning rate (deck ML::Training)"
        );
        assert_eq!(
            said(&Verdict::Wrong, "momentum"),
            "✗ expected gradient descent (you typed: momentum)"
        );
        assert_eq!(said(&Verdict::Blank, ""), "✗ the term is gradient descent");
    }

    #[test]
    fn the_difference_marks_missed_changed_swapped_and_extra_letters() {
        let plain = Style::plain();
        assert_eq!(
            mark_difference("embeding", "embedding", &plain),
            "embed[d]ing (you typed: embeding)"
        );
        assert_eq!(
            mark_difference("gradient decsent", "gradient descent", &plain),
            "gradient de[sc]ent (you typed: gradient decsent)"
        );
        assert_eq!(
            mark_difference("embeddding", "embedding", &plain),
            "embedd{d}ing (you typed: embeddding)"
        );
        assert_eq!(
            mark_difference("embedbing", "embedding", &plain),
            "embed{b}[d]ing (you typed: embedbing)"
        );
        assert_eq!(
            mark_difference("backpropagatoin.", "back-propagation!", &plain),
            "back-propagat[io]n! (you typed: backpropagatoin.)"
        );
        assert_eq!(
            mark_difference("Naive Bayes", "Naïve Bayes", &plain),
            "Naïve Bayes (you typed: Naive Bayes)"
        );
    }
}

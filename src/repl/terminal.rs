//! The interactive front end: rustyline with command completion and line history.

use std::io::Write;
use std::time::Duration;

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use super::input::COMMANDS;
use super::modes::{self, Modes};
use super::render::Style;
use super::wait::Waited;
use super::{Frontend, Read};
use crate::error::{Error, Result};

/// Completes `:commands` and dims the prompt.
struct CommandHelper {
    colour: bool,
}

impl Completer for CommandHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let before = &line[..pos];
        let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let word = &before[start..];
        if !word.starts_with(':') {
            return Ok((pos, vec![]));
        }
        let matches = COMMANDS
            .iter()
            .map(|(name, _, _)| (*name).to_string())
            .filter(|name| name.starts_with(word))
            .collect();
        Ok((start, matches))
    }
}

impl Hinter for CommandHelper {
    type Hint = String;
}
impl Highlighter for CommandHelper {
    /// Prompts stay plain text (so rustyline measures them right) and are dimmed here.
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> std::borrow::Cow<'b, str> {
        if self.colour {
            std::borrow::Cow::Owned(format!("\x1b[2m{prompt}\x1b[0m"))
        } else {
            std::borrow::Cow::Borrowed(prompt)
        }
    }
}
impl Validator for CommandHelper {}
impl Helper for CommandHelper {}

pub struct TerminalFrontend {
    editor: Editor<CommandHelper, DefaultHistory>,
    style: Style,
    /// The session's modes (see [`super::modes`]); none if the terminal refused them, and
    /// then the session runs in its ordinary modes as before.
    modes: Option<Modes>,
}

impl TerminalFrontend {
    pub fn new() -> Result<TerminalFrontend> {
        let config = rustyline::Config::builder()
            .completion_type(rustyline::CompletionType::List)
            .auto_add_history(false)
            .build();
        let mut editor = Editor::<CommandHelper, DefaultHistory>::with_config(config)
            .map_err(|e| Error::failed(format!("cannot start the terminal line editor: {e}")))?;
        let style = Style::for_terminal(true);
        editor.set_helper(Some(CommandHelper {
            colour: style.colour,
        }));
        Ok(TerminalFrontend {
            editor,
            style,
            modes: Modes::without(modes::SESSION).ok(),
        })
    }
}

impl Frontend for TerminalFrontend {
    fn read_line(&mut self, prompt: &str) -> Result<Read> {
        match self.editor.readline(prompt) {
            Ok(line) => {
                if line.trim().starts_with(':') || line.trim().chars().count() > 1 {
                    let _ = self.editor.add_history_entry(line.as_str());
                }
                Ok(Read::Line(line))
            }
            Err(ReadlineError::Eof) => Ok(Read::Eof),
            Err(ReadlineError::Interrupted) => Ok(Read::Interrupted),
            Err(e) => Err(Error::failed(format!("cannot read from the terminal: {e}"))),
        }
    }

    fn print(&mut self, text: &str) -> Result<()> {
        let mut out = crate::output::Human::new(std::io::stdout().lock());
        writeln!(out, "{text}").map_err(Error::Output)?;
        out.flush().map_err(Error::Output)?;
        Ok(())
    }

    fn style(&self) -> Style {
        self.style
    }

    fn can_edit(&self) -> bool {
        true
    }

    fn outside(&mut self, program: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        let had = self.modes.take().is_some();
        let result = program();
        if had {
            self.modes = Modes::without(modes::SESSION).ok();
        }
        result
    }

    fn wait(&mut self, real: Duration, line: &dyn Fn(Duration) -> String) -> Result<Waited> {
        let style = self.style;
        super::wait::countdown_on_terminal(real, &|left| {
            style.dim(&format!(
                "{} · Enter for commands · Ctrl-D to stop",
                line(left)
            ))
        })
    }
}

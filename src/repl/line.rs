//! The line-by-line front end: standard input is not a terminal, so the same grammar is read
//! one line at a time and the output is plain (no colour, no prompts), for scripts and tests.

use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Duration;

use super::render::Style;
use super::wait::Waited;
use super::{Frontend, Read};
use crate::error::{Error, Result};
use crate::output::Human;

pub struct LineFrontend<R: BufRead, W: Write> {
    input: R,
    output: Human<W>,
    /// The descriptor `input` reads from, when reading it could block (a pipe): a wait polls
    /// it rather than reading, so a script that answers only what it sees is never stalled.
    watched: Option<std::io::Stdin>,
}

impl<R: BufRead, W: Write> LineFrontend<R, W> {
    /// A front end over `input` that never blocks (a buffer, a file).
    pub fn new(input: R, output: W) -> Self {
        LineFrontend {
            input,
            output: Human::new(output),
            watched: None,
        }
    }

    /// A front end over standard input (a pipe, a file, a device), which `input` reads.
    pub fn over_stdin(input: R, output: W) -> Self {
        LineFrontend {
            watched: Some(std::io::stdin()),
            ..LineFrontend::new(input, output)
        }
    }

    /// What the script's input says about a wait, without consuming or waiting for any of
    /// it: it has ended (stop), its next line is a `:` command (read it first), or nothing
    /// (answers written ahead stay buffered for the card they were meant for).
    fn input_during_wait(&mut self) -> Result<Option<Waited>> {
        if let Some(stdin) = &self.watched
            && !super::wait::readable_now(stdin)?
        {
            return Ok(None);
        }
        let buffered = self
            .input
            .fill_buf()
            .map_err(|e| Error::io("read", Path::new("standard input"), e))?;
        Ok(if buffered.is_empty() {
            Some(Waited::Stopped)
        } else if buffered.trim_ascii_start().starts_with(b":") {
            Some(Waited::Command)
        } else {
            None
        })
    }
}

impl<R: BufRead, W: Write> Frontend for LineFrontend<R, W> {
    fn read_line(&mut self, _prompt: &str) -> Result<Read> {
        self.output.flush().map_err(Error::Output)?;
        let mut buffer = Vec::new();
        let read = self.input.read_until(b'\n', &mut buffer);
        // The line front end reads the answers from standard input.
        if read.map_err(|e| Error::io("read", Path::new("standard input"), e))? == 0 {
            return Ok(Read::Eof);
        }
        // Invalid UTF-8 in a scripted answer is treated as text, never as a crash.
        let line = String::from_utf8_lossy(&buffer);
        Ok(Read::Line(line.trim_end_matches(['\n', '\r']).to_string()))
    }

    fn print(&mut self, text: &str) -> Result<()> {
        writeln!(self.output, "{text}").map_err(Error::Output)?;
        Ok(())
    }

    fn style(&self) -> Style {
        Style::plain()
    }

    fn can_edit(&self) -> bool {
        false
    }

    /// A script needs no countdown: one line says how long, then the wait is silent (its
    /// next answers are only read once the card is shown). SIGINT ends it with the summary,
    /// and so does the end of the input: a script with no answers left has none for the card
    /// it would wait for, so it is not kept waiting (as Ctrl-D ends a wait on a terminal). A
    /// `:` command next (`:undo` after the last answer) is read before the card comes.
    fn wait(&mut self, real: Duration, line: &dyn Fn(Duration) -> String) -> Result<Waited> {
        if let Some(waited) = self.input_during_wait()? {
            return Ok(waited);
        }
        self.print(&format!("Waiting: {}.", line(real)))?;
        self.output.flush().map_err(Error::Output)?;
        super::wait::sleep(real, &mut || self.input_during_wait())
    }
}

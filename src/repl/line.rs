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
}

impl<R: BufRead, W: Write> LineFrontend<R, W> {
    pub fn new(input: R, output: W) -> Self {
        LineFrontend {
            input,
            output: Human::new(output),
        }
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
    /// next answers are only read once the card is shown). SIGINT ends it with the summary.
    fn wait(&mut self, real: Duration, line: &dyn Fn(Duration) -> String) -> Result<Waited> {
        self.print(&format!("Waiting: {}.", line(real)))?;
        self.output.flush().map_err(Error::Output)?;
        Ok(super::wait::sleep(real))
    }
}

//! Waiting for the next learning step when nothing else is left: a live countdown on a
//! terminal that Ctrl-D or Ctrl-C ends at once, a silent wait in line mode.
//!
//! On a terminal the wait reads keys one by one (canonical mode, echo and signals off, as
//! rustyline does while it reads a line), so Ctrl-C arrives as a key, not as SIGINT, and the
//! summary is still printed; a key typed before the wait began is read too (see
//! [`super::modes`]); the terminal's modes are restored however the wait ends. The
//! countdown line is redrawn in place about once a second and cleared at the end.

use std::io::Write;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::termios::LocalModes;

use super::interrupt;
use super::modes::Modes;
use crate::error::{Error, Result};

/// What ended a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waited {
    /// The time ran out: the card is due.
    Due,
    /// The learner stopped it (Ctrl-D, Ctrl-C, or SIGINT in line mode; the end of a
    /// script's input).
    Stopped,
    /// The learner has a command to give before the card comes (Enter or `:` on a terminal;
    /// a script's next line is a `:` command): the caller reads it, then waits again.
    Command,
}

/// How often the countdown is redrawn, and the longest sleep between checks.
const TICK: Duration = Duration::from_millis(250);

/// "4:32", "1:02:05": the time left, rounded up to the second.
pub fn countdown(left: Duration) -> String {
    let seconds = left.as_secs() + u64::from(left.subsec_nanos() > 0);
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Line mode: sleeps for `real`, in slices, so SIGINT ends the wait (and the session, with
/// its summary) at once instead of killing jargon; at each slice `input` may end it too
/// (the script's input has run out, or its next line is a command).
pub fn sleep(real: Duration, input: &mut dyn FnMut() -> Result<Option<Waited>>) -> Result<Waited> {
    let deferred = interrupt::Deferred::begin();
    let until = Instant::now() + real;
    loop {
        if deferred.pressed() {
            return Ok(Waited::Stopped);
        }
        if let Some(waited) = input()? {
            return Ok(waited);
        }
        let now = Instant::now();
        if now >= until {
            return Ok(Waited::Due);
        }
        std::thread::sleep((until - now).min(TICK));
    }
}

/// Whether reading `stdin` now would not block (data, or the end of the input).
pub fn readable_now(stdin: &std::io::Stdin) -> Result<bool> {
    let mut fds = [PollFd::new(stdin, PollFlags::IN)];
    match poll(&mut fds, Some(&Timespec::default())) {
        Ok(ready) => Ok(ready > 0),
        Err(rustix::io::Errno::INTR) => Ok(false),
        Err(e) => Err(Error::io(
            "poll",
            std::path::Path::new("standard input"),
            e.into(),
        )),
    }
}

/// Terminal: waits for `real` with `line(left)` redrawn in place; Ctrl-D (EOT) or Ctrl-C
/// (ETX) stops it at once, Enter or `:` leaves it for a command, other keys are ignored.
pub fn countdown_on_terminal(real: Duration, line: &dyn Fn(Duration) -> String) -> Result<Waited> {
    let fail = |e: std::io::Error| Error::failed(format!("cannot read from the terminal: {e}"));
    let keys =
        Modes::without(LocalModes::ICANON | LocalModes::ECHO | LocalModes::ISIG).map_err(fail)?;
    let until = Instant::now() + real;
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    let draw = |out: &mut std::io::Stdout, text: &str| -> Result<()> {
        // Our own sequences (carriage return, erase line) go raw; the text passes `Human`.
        out.write_all(b"\r\x1b[2K").map_err(Error::Output)?;
        let mut human = crate::output::Human::new(&mut *out);
        human.write_all(text.as_bytes()).map_err(Error::Output)?;
        human.flush().map_err(Error::Output)
    };
    let result = loop {
        let now = Instant::now();
        if now >= until {
            break Waited::Due;
        }
        draw(&mut out, &line(until - now))?;
        let pause = (until - now).min(TICK);
        let timeout = Timespec {
            tv_sec: 0,
            tv_nsec: i64::from(pause.subsec_nanos()),
        };
        let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
        match poll(&mut fds, Some(&timeout)) {
            Ok(0) | Err(rustix::io::Errno::INTR) => continue,
            Ok(_) => {
                let mut byte = [0u8; 64];
                let read =
                    rustix::io::read(stdin.as_fd(), &mut byte).map_err(|e| fail(e.into()))?;
                // End of input (the terminal hung up) stops as Ctrl-D does.
                if read == 0 || byte[..read].iter().any(|b| matches!(b, 3 | 4)) {
                    break Waited::Stopped;
                }
                if byte[..read]
                    .iter()
                    .any(|b| matches!(b, b'\r' | b'\n' | b':'))
                {
                    break Waited::Command;
                }
            }
            Err(e) => return Err(fail(e.into())),
        }
    };
    out.write_all(b"\r\x1b[2K").map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    drop(keys);
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_countdown_rounds_up_to_the_second_and_shows_hours_past_sixty_minutes() {
        assert_eq!(countdown(Duration::from_millis(272_001)), "4:33");
        assert_eq!(countdown(Duration::from_secs(272)), "4:32");
        assert_eq!(countdown(Duration::from_secs(59)), "0:59");
        assert_eq!(countdown(Duration::from_secs(3725)), "1:02:05");
    }
}

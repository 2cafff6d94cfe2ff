//! The terminal's modes while a review runs on it.
//!
//! For the whole session the terminal is kept out of canonical mode and without echo (its
//! signals stay on, so Ctrl-C between prompts is still SIGINT; see [`super::interrupt`]).
//! A key pressed while jargon is busy between two prompts (saving an answer, waiting for the
//! collection) then stays in the terminal's queue as the byte it is, for the next reader:
//! the line editor or the step countdown. In canonical mode the terminal would have turned a
//! Ctrl-D into an end-of-line marker that reads back as a NUL byte once a reader switches
//! modes, and the learner's Ctrl-D would be lost. Every [`Modes`] puts back, when dropped,
//! the modes it found; the learner's editor runs with the terminal's ordinary modes.

use std::os::fd::AsFd;

use rustix::termios::{
    LocalModes, OptionalActions, SpecialCodeIndex, Termios, tcgetattr, tcsetattr,
};

/// The local modes the whole session runs without: input is handed over key by key and
/// nothing is echoed before a reader shows it.
pub const SESSION: LocalModes = LocalModes::ICANON.union(LocalModes::ECHO);

/// Standard input's terminal with some local modes turned off; the modes found are restored
/// when this is dropped.
pub struct Modes {
    saved: Termios,
}

impl Modes {
    /// Turns `off` off on standard input's terminal, reads returning as soon as one byte is
    /// there. Fails when standard input is not a terminal or refuses the change.
    pub fn without(off: LocalModes) -> std::io::Result<Modes> {
        let stdin = std::io::stdin();
        let saved = tcgetattr(stdin.as_fd())?;
        let mut keys = saved.clone();
        keys.local_modes.remove(off);
        keys.special_codes[SpecialCodeIndex::VMIN] = 1;
        keys.special_codes[SpecialCodeIndex::VTIME] = 0;
        // `Now`, not a flush: keys already typed stay queued for the next reader.
        tcsetattr(stdin.as_fd(), OptionalActions::Now, &keys)?;
        Ok(Modes { saved })
    }
}

impl Drop for Modes {
    fn drop(&mut self) {
        // Nothing more can be done if the terminal refuses its own modes back.
        let _ = tcsetattr(std::io::stdin().as_fd(), OptionalActions::Now, &self.saved);
    }
}

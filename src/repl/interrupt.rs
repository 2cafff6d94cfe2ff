//! Ctrl-C while an answer waits for a busy collection: noted, never fatal.
//!
//! Between prompts the terminal keeps its signals (see [`super::modes`]), so Ctrl-C is
//! SIGINT and would end jargon at once, losing an answer that is waiting to be saved. While
//! a [`Deferred`] guard lives, SIGINT only raises a flag the waiting loop reads; at any other
//! time it ends the process exactly as the system's default action does. The handlers are installed on first
//! use and stay for the life of the process (signal-hook keeps its handler installed anyway).

use std::io;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use signal_hook::consts::SIGINT;

/// The two flags the SIGINT handler reads and writes.
struct Flags {
    /// Set by SIGINT while deferred.
    pressed: Arc<AtomicBool>,
    /// True when SIGINT should act as it always does (end the process).
    default_action: Arc<AtomicBool>,
}

static FLAGS: OnceLock<Option<Flags>> = OnceLock::new();

fn flags() -> Option<&'static Flags> {
    FLAGS.get_or_init(|| install().ok()).as_ref()
}

fn install() -> io::Result<Flags> {
    let flags = Flags {
        pressed: Arc::new(AtomicBool::new(false)),
        default_action: Arc::new(AtomicBool::new(true)),
    };
    // Order matters: the flag is raised first, then the default action runs if it applies.
    signal_hook::flag::register(SIGINT, Arc::clone(&flags.pressed))?;
    signal_hook::flag::register_conditional_default(SIGINT, Arc::clone(&flags.default_action))?;
    Ok(flags)
}

/// While alive, Ctrl-C is remembered instead of ending the process.
pub struct Deferred {
    flags: Option<&'static Flags>,
}

impl Deferred {
    /// Starts deferring SIGINT. If the handler cannot be installed (which the system refuses
    /// only for forbidden signals), Ctrl-C keeps its default action and [`pressed`] stays false.
    ///
    /// [`pressed`]: Deferred::pressed
    pub fn begin() -> Deferred {
        let flags = flags();
        if let Some(flags) = flags {
            flags.pressed.store(false, Ordering::SeqCst);
            flags.default_action.store(false, Ordering::SeqCst);
        }
        Deferred { flags }
    }

    /// Whether Ctrl-C was pressed since [`Deferred::begin`].
    pub fn pressed(&self) -> bool {
        self.flags
            .is_some_and(|flags| flags.pressed.load(Ordering::SeqCst))
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        if let Some(flags) = self.flags {
            flags.default_action.store(true, Ordering::SeqCst);
        }
    }
}

//! Records: stats (being filled).

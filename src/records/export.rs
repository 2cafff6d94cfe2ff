//! Records: export (being filled).

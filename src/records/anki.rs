//! Records: anki (being filled).

//! Records: queue (being filled).

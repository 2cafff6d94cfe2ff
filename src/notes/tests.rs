//! Tests of the notes module: HTML rendering, cloze, templates, stock types.

mod cards;
mod cloze_tests;
mod html_tests;

//! The coaching core: which question to ask and how a mock interview unfolds.
//! Nothing in here talks to Discord or the terminal, so both front ends (and
//! the tests) drive exactly the same logic.

pub mod engine;
pub mod select;

//! The coaching core: which question to ask, how a mock interview unfolds, and
//! feedback on each answer. Nothing in here talks to Discord or the terminal,
//! so both front ends (and the tests) drive exactly the same logic. [`daily`]
//! holds the rules of the daily question, [`progress`] a member's answers over
//! time as figures and a chart.

pub mod daily;
pub mod engine;
pub mod examples;
pub mod feedback;
pub mod progress;
pub mod select;

//! Coaching logic that does not depend on Discord: answer feedback now, the
//! interview engine and question selection alongside it.
pub mod feedback;

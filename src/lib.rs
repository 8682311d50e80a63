//! interview-coach
pub mod coach;
pub mod guide;

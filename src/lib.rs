//! interview-coach
pub mod guide;

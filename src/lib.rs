//! interview-coach
pub mod guide;
pub mod store;

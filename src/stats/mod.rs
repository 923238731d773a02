//! Statistics: per-day rollups kept current with every change to a record, and the
//! summary and breakdown endpoints that read them.

pub mod daily;
pub mod handlers;
pub mod households;
pub mod model;
pub mod queries;
pub mod rollups;
pub mod spans;

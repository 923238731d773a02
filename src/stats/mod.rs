//! Statistics: per-day rollups kept current with every change to a record.

pub mod rollups;

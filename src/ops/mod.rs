//! Operations: health probes for load balancers, and backups of the SQLite file.

pub mod backup;
pub mod probes;

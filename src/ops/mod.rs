//! Operations: health probes for load balancers, the Prometheus endpoint, and backups of
//! the SQLite file.

pub mod backup;
pub mod metrics;
pub mod probes;

//! Operations: health probes for load balancers and the Prometheus endpoint (backups of the
//! SQLite file are the database's own, in `db::backup`).

pub mod handlers;

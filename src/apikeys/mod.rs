//! Dashboard API keys: read-only access to a unit's units, statistics and campaigns, for
//! provincial dashboards that cannot sign in as a person.

pub mod handlers;
pub mod model;
pub mod queries;
pub mod service;

/// Prefix of every key, so a leaked one is recognisable in logs and scanners.
pub const KEY_PREFIX: &str = "gck_";

//! Administrative units: the 2025 two-tier map (provinces and communes) that scopes every
//! user, team and record.

pub mod handlers;
pub mod import;
pub mod model;
pub mod queries;

pub use model::{Unit, UnitKind};

//! Population figures of units by reference year: what targets and coverage are shares of.
//! A domain of their own above the map (they name units) and the audit log (setting them
//! is audited), so that neither of those imports the other.

pub mod handlers;
pub mod model;
pub mod queries;
pub mod service;

pub use model::{Population, PopulationBase};

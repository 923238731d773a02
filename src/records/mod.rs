//! Field records: household visits, VNeID assists and digital-signature registrations.
//! The three kinds share one life (idempotent create, change, review, void) and one table;
//! each kind has its own fields, validation and shape in the API.

pub mod anomalies;
pub mod citizen;
pub mod error;
pub mod fingerprint;
pub mod followups;
pub mod group;
pub mod handlers;
pub mod input;
pub mod model;
pub mod queries;
pub mod queue;
pub mod service;
pub mod tally;
pub mod views;

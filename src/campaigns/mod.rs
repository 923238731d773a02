//! Campaigns (a unit, a period, targets per unit and metric): what supervisors measure
//! progress against.

pub mod handlers;
pub mod model;
pub mod progress;
pub mod queries;
pub mod service;

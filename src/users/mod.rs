//! People who use gocua: volunteers, supervisors and admins, and who may manage whom.

pub mod access;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod service;

pub use model::{UserRow, UserView};

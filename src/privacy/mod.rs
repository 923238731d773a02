//! Residents' rights under the Personal Data Protection Law: what gocua holds about a
//! resident (found by their identity number, which is hashed and never kept), and erasure of
//! the link between a resident and their records that keeps every count as it was
//! (`docs/PRIVACY.md`).

pub mod handlers;
pub mod queries;
pub mod retention;
pub mod service;

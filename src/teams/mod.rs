//! Teams (tổ công nghệ số) of a commune and their members: the unit volunteers log records
//! for, and the reach of a team lead's review rights.

pub mod access;
pub mod error;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod service;

pub use model::{MemberRole, Team};

//! Certified periods: a commune supervisor certifies a finished month or ISO week (a
//! snapshot of every metric), the province accepts it (the period locks) or returns it, and
//! may later reopen it. The lock itself is read by the records service through
//! [`crate::periods::locked_by`].

pub mod handlers;
pub mod model;
pub mod queries;
pub mod service;

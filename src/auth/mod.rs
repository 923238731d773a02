//! Signing in and out: login, refresh, logout, `me` and password changes, and resolving a
//! request's credential into the caller (`http`). The kernel they use (roles, tokens,
//! passwords, the throttle) is `crate::access`.

pub mod handlers;
pub mod http;
pub mod queries;
pub mod service;

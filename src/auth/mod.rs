//! Who is calling and what they may touch: phones, passwords, tokens, login throttling,
//! roles and scope, and the auth endpoints.

pub mod checks;
pub mod handlers;
pub mod password;
pub mod phone;
pub mod queries;
pub mod roles;
pub mod session;
pub mod throttle;
pub mod tokens;

pub use roles::{Role, Scope};
pub use session::{AuthUser, Reader};

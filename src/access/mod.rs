//! The kernel below every domain: roles and scope, the caller, phone numbers, passwords,
//! access tokens, the login throttle, the password-check threads and the teams a caller
//! is in. It knows no domain and
//! no HTTP, so every domain (and the shared state) may import it and nothing here imports
//! them back.

pub mod caller;
pub mod checks;
pub mod password;
pub mod phone;
pub mod roles;
pub mod teams;
pub mod throttle;
pub mod tokens;

pub use caller::{Account, AuthUser, Reader};
pub use roles::{Role, Scope};

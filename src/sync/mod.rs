//! Offline sync: phones upload what they logged offline in batches, retried until they get
//! an answer, and refresh what changed on the server since their last sync.

pub mod changes;
pub mod handlers;

//! Webhooks: a dashboard subscribes to the events of a unit and receives them signed, from
//! the outbox ([`crate::outbox`]) the changes write in their own transactions.

pub mod address;
pub mod daily;
pub mod events;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod service;
pub mod worker;

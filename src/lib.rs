//! gocua ("gõ cửa", knock on the door): the backend of Vietnam's community digital
//! technology teams. The library builds the whole app so `main` and the tests share it.

pub mod access_log;
pub mod apikeys;
pub mod app;
pub mod audit;
pub mod auth;
pub mod caching;
pub mod campaigns;
pub mod certifications;
pub mod cli;
pub mod client_addr;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod messages;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod pagination;
pub mod path_text;
pub mod periods;
pub mod records;
pub mod request_id;
pub mod rules;
pub mod schema;
pub mod seed;
pub mod state;
pub mod stats;
pub mod sync;
pub mod teams;
pub mod text;
pub mod units;
pub mod users;
pub mod web;

//! The one integration-test binary: every area's tests drive the real app over HTTP on a
//! real database (see `util::TestApp`).

mod apikeys;
mod audit;
mod auth;
mod authz;
mod campaigns;
mod certificates;
mod certifications;
mod cli;
mod edge;
mod exports;
mod followups;
mod hamlets;
mod hostile;
mod household_figures;
mod household_sync;
mod households;
mod language;
mod nodes;
mod ops;
mod population;
mod privacy;
mod records;
mod sessions;
mod stats;
mod sync;
mod teams;
mod text;
mod transport;
mod units;
mod users;
mod util;
mod web;
mod webhooks;
mod writes;

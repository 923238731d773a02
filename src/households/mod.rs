//! The household register (hộ gia đình) and the Digital Family: every door of a hamlet,
//! registered by the volunteers of the teams that hold it, edited offline on several phones
//! and merged field by field, with the full history of its versions; each team's share
//! sent to its phones; and the province's definition of a digital family (gia đình số) and
//! of a digital residential area (khu dân cư số).
//!
//! The register imports no other domain: the map's rearrangements and the teams' hamlet
//! changes call into `share` to move households and tell phones, in their own transactions.

pub mod batch;
pub mod change;
pub mod erase;
pub mod figures;
pub mod handlers;
pub mod input;
pub mod model;
pub mod queries;
pub mod service;
pub mod share;
pub mod tally;

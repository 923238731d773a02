//! Per-day rollups, changed in the same transaction as the record they reflect: a record
//! counts as soon as its create returns, and statistics read rollups, never millions of
//! records.
//!
//! Three tables, each one row per place and day with a column per metric:
//! `daily_rollups` (commune, team, volunteer) for team and volunteer numbers and the
//! distinct volunteers; `commune_rollups` (commune) for unit numbers, ~100 rows per commune
//! and campaign; `citizen_rollups` (who was helped where and when) because distinct
//! citizens do not add up across days or places.
//!
//! What a record counts as (the contract's counting rules) is the records domain's to say:
//! it hands each record here as a [`Contribution`], so statistics never read the record
//! model. `*_approved` columns count approved records only, for `?review=approved`.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::spans::{self, Spans};
use crate::db::DbConn;

/// The summed metrics, in column order. `records` counts every counted record: the
/// distinct volunteers with a non-zero `records` are the `active_volunteers`.
pub const METRICS: [&str; 11] = [
    "records",
    "visits",
    "households_guided",
    "people_guided",
    "vneid_installs",
    "vneid_level2_activations",
    "signatures_submitted",
    "signatures_issued",
    "digital_skills_certified",
    "training_sessions",
    "training_attendees",
];

/// Index of a metric in [`METRICS`].
#[derive(Debug, Clone, Copy)]
#[repr(usize)]
pub enum Column {
    /// Every counted record.
    Records,
    /// Visits.
    Visits,
    /// Visits with outcome `guided`.
    HouseholdsGuided,
    /// Sum of `people_guided`.
    PeopleGuided,
    /// Successful installs.
    VneidInstalls,
    /// Successful level-2 activations.
    VneidLevel2Activations,
    /// Signatures submitted or issued.
    SignaturesSubmitted,
    /// Signatures issued.
    SignaturesIssued,
    /// Successful digital-skills certificates.
    DigitalSkillsCertified,
    /// Training sessions.
    TrainingSessions,
    /// Sum of their attendees.
    TrainingAttendees,
}

/// One rollup row's values: every metric counted, and counted among approved records.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Per [`METRICS`] entry, over counted records.
    pub counted: [i32; 11],
    /// Per [`METRICS`] entry, over approved records.
    pub approved: [i32; 11],
}

impl Counts {
    fn is_zero(&self) -> bool {
        *self == Self::default()
    }

    fn add(&mut self, other: &Counts) {
        for i in 0..METRICS.len() {
            self.counted[i] += other.counted[i];
            self.approved[i] += other.approved[i];
        }
    }
}

/// Where a record's numbers go: its local day, commune, team, volunteer and hamlet code as
/// sent (`""` for none).
pub type Place = (NaiveDate, String, String, String, String);

/// Volunteer rows keyed by place.
pub type Daily = HashMap<Place, Counts>;
/// Commune rows keyed by day and commune.
pub type Communes = HashMap<(NaiveDate, String), Counts>;
/// Citizen rows keyed by place and `citizen_ref` (by the citizen's number in [`stored`] and
/// [`recount`]): `(counted, approved)`.
pub type Citizens = HashMap<(Place, String), (i32, i32)>;

/// The content of the three rollup tables (zero rows left out), to compare a recount
/// with what is stored.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rollups {
    /// `daily_rollups`.
    pub daily: Daily,
    /// `commune_rollups`.
    pub communes: Communes,
    /// `citizen_rollups`.
    pub citizens: Citizens,
    /// `distinct_spans`, derived from the two above ([`spans`]).
    pub spans: Spans,
}

impl Rollups {
    /// Adds (`sign` = 1) or removes (`sign` = -1) a record's contribution.
    pub fn add(&mut self, record: &Contribution, sign: i32) {
        let approved = i32::from(record.approved);
        let mut delta = Counts::default();
        for &(column, n) in &record.numbers {
            delta.counted[column as usize] = sign * n;
            delta.approved[column as usize] = sign * n * approved;
        }
        let (day, commune) = (record.place.0, record.place.1.clone());
        self.daily
            .entry(record.place.clone())
            .or_default()
            .add(&delta);
        self.communes.entry((day, commune)).or_default().add(&delta);
        if let Some(c) = &record.citizen {
            let entry = self
                .citizens
                .entry((record.place.clone(), c.clone()))
                .or_default();
            entry.0 += sign;
            entry.1 += sign * approved;
        }
    }

    /// Leaves out the rows whose values are all zero.
    pub fn drop_zeros(&mut self) {
        self.daily.retain(|_, v| !v.is_zero());
        self.communes.retain(|_, v| !v.is_zero());
        self.citizens.retain(|_, v| *v != (0, 0));
        self.spans.retain(|_, v| *v != (0, 0));
    }

    /// Rows per table: daily, commune, citizen.
    pub fn sizes(&self) -> (usize, usize, usize) {
        (self.daily.len(), self.communes.len(), self.citizens.len())
    }
}

/// What one counted record adds: where and when, whether it is approved, its numbers per
/// metric, and the citizen it counts towards `unique_citizens_assisted`, if any. A record
/// that does not count (voided, rejected, an unapproved duplicate) has none.
#[derive(Debug, Clone)]
pub struct Contribution {
    /// Its local day, commune, team, volunteer and hamlet code.
    pub place: Place,
    /// Whether it counts among approved records too.
    pub approved: bool,
    /// What it adds, per metric (every counted record adds 1 to [`Column::Records`]).
    pub numbers: Vec<(Column, i32)>,
    /// The citizen reference it counts towards.
    pub citizen: Option<String>,
}

/// Applies the change of some records' contributions (`deltas`, built with
/// [`Rollups::add`]) to the rollups. Call inside the transaction of the changes.
pub fn apply(conn: &mut DbConn, mut deltas: Rollups) -> QueryResult<()> {
    deltas.drop_zeros();
    write(conn, &deltas)
}

/// References looked up per statement.
const LOOKUP_CHUNK: usize = 5000;

/// How a citizen reference starts that names the citizen's number here (its row in
/// `citizens`) instead of the keyed hash: the privacy domain's retention sweep writes it
/// when the link to the number expires, and records without a link start so too.
pub const UNLINKED: &str = "x:";

/// The number an expired link names ([`UNLINKED`] and the number), if `citizen_ref` is one.
pub fn named_number(citizen_ref: &str) -> Option<i64> {
    citizen_ref.strip_prefix(UNLINKED)?.parse().ok()
}

mod recount;
mod write;

pub use recount::{clear, settle, stored};
use write::write;

#[cfg(test)]
mod tests {
    use super::named_number;

    #[test]
    fn an_expired_link_names_its_number_and_nothing_else_does() {
        assert_eq!(named_number("x:42"), Some(42));
        assert_eq!(named_number("x:0b6c2a52-4f0e-4b8e-9a57-3c1a7b1f2e11"), None);
        assert_eq!(named_number("9f86d081884c7d659a2feaa0c55ad015"), None);
        assert_eq!(named_number("42"), None);
    }
}

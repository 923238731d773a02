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
//! Counting rules (the contract's): a voided or `rejected` record never counts; a record
//! flagged as a duplicate (`duplicate_of` set) counts only once a reviewer approves it.
//! `*_approved` columns count approved records only, for `?review=approved`.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::spans::{self, Spans};
use crate::db::DbConn;
use crate::records::model::{
    AssistAction, AssistResult, Kind, Outcome, RecordRow, ReviewStatus, SignatureStatus,
};

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

/// Where a record's numbers go: its local day, commune, team and volunteer.
pub type Place = (NaiveDate, String, String, String);

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
    pub fn add(&mut self, row: &RecordRow, sign: i32) {
        let (counted, approved) = counts(row);
        if !counted {
            return;
        }
        let approved = i32::from(approved);
        let mut delta = Counts::default();
        for (column, n) in metrics(row) {
            delta.counted[column as usize] = sign * n;
            delta.approved[column as usize] = sign * n * approved;
        }
        self.daily.entry(place(row)).or_default().add(&delta);
        self.communes
            .entry((row.occurred_on, row.commune_code.clone()))
            .or_default()
            .add(&delta);
        if let Some(c) = citizen(row) {
            let entry = self.citizens.entry((place(row), c.to_owned())).or_default();
            entry.0 += sign;
            entry.1 += sign * approved;
        }
    }

    fn drop_zeros(&mut self) {
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

/// Whether a record counts, and whether it counts as approved.
pub fn counts(row: &RecordRow) -> (bool, bool) {
    let status = row.review_status;
    let counted = !row.voided
        && status != ReviewStatus::Rejected
        && (row.duplicate_of.is_none() || status == ReviewStatus::Approved);
    (counted, counted && status == ReviewStatus::Approved)
}

/// The metrics a record adds when it counts.
fn metrics(row: &RecordRow) -> Vec<(Column, i32)> {
    let mut out = vec![(Column::Records, 1)];
    match row.kind {
        Kind::Visit => {
            out.push((Column::Visits, 1));
            if row.outcome == Some(Outcome::Guided) {
                out.push((Column::HouseholdsGuided, 1));
            }
            out.push((Column::PeopleGuided, row.people_guided.unwrap_or(0).max(0)));
        }
        Kind::VneidAssist if row.result == Some(AssistResult::Success) => match row.action {
            Some(AssistAction::Install) => out.push((Column::VneidInstalls, 1)),
            Some(AssistAction::ActivateLevel2) => out.push((Column::VneidLevel2Activations, 1)),
            Some(AssistAction::DigitalSkillsCertificate) => {
                out.push((Column::DigitalSkillsCertified, 1))
            }
            _ => {}
        },
        Kind::VneidAssist => {}
        Kind::SignatureRegistration => match row.status {
            Some(SignatureStatus::Issued) => {
                out.push((Column::SignaturesSubmitted, 1));
                out.push((Column::SignaturesIssued, 1));
            }
            Some(SignatureStatus::Submitted) => out.push((Column::SignaturesSubmitted, 1)),
            _ => {}
        },
        Kind::TrainingSession => {
            out.push((Column::TrainingSessions, 1));
            out.push((Column::TrainingAttendees, row.attendees.unwrap_or(0).max(0)));
        }
    }
    out
}

/// The citizen a record counts towards `unique_citizens_assisted`, if any.
fn citizen(row: &RecordRow) -> Option<&str> {
    (row.kind == Kind::VneidAssist && row.result == Some(AssistResult::Success))
        .then_some(row.citizen_ref.as_deref())
        .flatten()
}

fn place(row: &RecordRow) -> Place {
    (
        row.occurred_on,
        row.commune_code.clone(),
        row.team_id.clone(),
        row.volunteer_id.clone(),
    )
}

/// Applies record changes (`before`, `after`; `None` for a record that did not exist) to
/// the rollups. Call inside the transaction of the changes.
pub fn apply(
    conn: &mut DbConn,
    changes: &[(Option<&RecordRow>, Option<&RecordRow>)],
) -> QueryResult<()> {
    let mut deltas = Rollups::default();
    for (before, after) in changes {
        if let Some(b) = before {
            deltas.add(b, -1);
        }
        if let Some(a) = after {
            deltas.add(a, 1);
        }
    }
    deltas.drop_zeros();
    write(conn, &deltas)
}

/// References looked up per statement.
const LOOKUP_CHUNK: usize = 5000;

/// The number an expired link names (`x:` and the number, see
/// the privacy domain's retention sweep), if `citizen_ref` is one.
pub fn named_number(citizen_ref: &str) -> Option<i64> {
    citizen_ref
        .strip_prefix(crate::records::citizen::UNLINKED)?
        .parse()
        .ok()
}

mod recount;
mod write;

pub use recount::{rebuild, recount, stored};
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

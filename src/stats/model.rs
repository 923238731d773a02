//! The statistics' own types, shared by the endpoints, campaign progress and the
//! benchmark seeder: every metric of the contract, and whose records a caller counts.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::queries::Tally;
use crate::access::{AuthUser, Role};
use crate::db::DbConn;
use diesel::QueryResult;

use crate::text::text_enum;

text_enum! {
    /// What a target or a statistic counts (the names are the contract).
    Metric {
        /// Visits.
        Visits => "visits",
        /// Visits with outcome `guided`.
        HouseholdsGuided => "households_guided",
        /// Sum of `people_guided` over visits.
        PeopleGuided => "people_guided",
        /// VNeID assists `install` + `success`.
        VneidInstalls => "vneid_installs",
        /// VNeID assists `activate_level2` + `success`.
        VneidLevel2Activations => "vneid_level2_activations",
        /// Distinct citizens with a successful VNeID assist.
        UniqueCitizensAssisted => "unique_citizens_assisted",
        /// Signature registrations `submitted` or `issued`.
        SignaturesSubmitted => "signatures_submitted",
        /// Signature registrations `issued`.
        SignaturesIssued => "signatures_issued",
        /// Distinct volunteers with a counted record.
        ActiveVolunteers => "active_volunteers",
        /// VNeID assists `digital_skills_certificate` + `success`.
        DigitalSkillsCertified => "digital_skills_certified",
        /// Training sessions.
        TrainingSessions => "training_sessions",
        /// Sum of `attendees` over training sessions.
        TrainingAttendees => "training_attendees",
        /// Distinct registered households with a counted `guided` visit.
        HouseholdsReached => "households_reached",
        /// Open households that are digital families at the end of the period.
        DigitalFamilies => "digital_families",
    }
}

/// Every metric of the contract. Read back from a certification's stored snapshot, a
/// metric the snapshot predates reads as 0.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Metrics {
    /// Visits.
    pub visits: i64,
    /// Visits with outcome `guided`.
    pub households_guided: i64,
    /// Sum of `people_guided` over visits.
    pub people_guided: i64,
    /// VNeID assists `install` + `success`.
    pub vneid_installs: i64,
    /// VNeID assists `activate_level2` + `success`.
    pub vneid_level2_activations: i64,
    /// Distinct citizens with a successful VNeID assist.
    pub unique_citizens_assisted: i64,
    /// Signature registrations `submitted` or `issued`.
    pub signatures_submitted: i64,
    /// Signature registrations `issued`.
    pub signatures_issued: i64,
    /// Distinct volunteers with at least one counted record.
    pub active_volunteers: i64,
    /// VNeID assists `digital_skills_certificate` + `success`.
    pub digital_skills_certified: i64,
    /// Training sessions (classes, support points, online).
    pub training_sessions: i64,
    /// Sum of `attendees` over training sessions.
    pub training_attendees: i64,
    /// Distinct registered households with a counted `guided` visit (a door visited three
    /// times counts once).
    pub households_reached: i64,
    /// Open households that are digital families at the end of the period, by the
    /// province's definition.
    pub digital_families: i64,
}

/// Column names of the metrics in CSV answers, in the contract's order; metrics added
/// later come last, so a reader that goes by position keeps its columns.
pub const METRIC_COLUMNS: [&str; 14] = [
    "visits",
    "households_guided",
    "people_guided",
    "vneid_installs",
    "vneid_level2_activations",
    "unique_citizens_assisted",
    "signatures_submitted",
    "signatures_issued",
    "active_volunteers",
    "digital_skills_certified",
    "training_sessions",
    "training_attendees",
    "households_reached",
    "digital_families",
];

impl Metrics {
    /// The values in [`METRIC_COLUMNS`] order, as CSV cells.
    pub fn cells(&self) -> Vec<String> {
        [
            self.visits,
            self.households_guided,
            self.people_guided,
            self.vneid_installs,
            self.vneid_level2_activations,
            self.unique_citizens_assisted,
            self.signatures_submitted,
            self.signatures_issued,
            self.active_volunteers,
            self.digital_skills_certified,
            self.training_sessions,
            self.training_attendees,
            self.households_reached,
            self.digital_families,
        ]
        .iter()
        .map(i64::to_string)
        .collect()
    }

    /// One metric's value.
    pub fn get(&self, metric: Metric) -> i64 {
        use Metric as M;
        match metric {
            M::Visits => self.visits,
            M::HouseholdsGuided => self.households_guided,
            M::PeopleGuided => self.people_guided,
            M::VneidInstalls => self.vneid_installs,
            M::VneidLevel2Activations => self.vneid_level2_activations,
            M::UniqueCitizensAssisted => self.unique_citizens_assisted,
            M::SignaturesSubmitted => self.signatures_submitted,
            M::SignaturesIssued => self.signatures_issued,
            M::ActiveVolunteers => self.active_volunteers,
            M::DigitalSkillsCertified => self.digital_skills_certified,
            M::TrainingSessions => self.training_sessions,
            M::TrainingAttendees => self.training_attendees,
            M::HouseholdsReached => self.households_reached,
            M::DigitalFamilies => self.digital_families,
        }
    }
}

impl From<&Tally> for Metrics {
    fn from(t: &Tally) -> Self {
        Self {
            visits: t.sum("visits"),
            households_guided: t.sum("households_guided"),
            people_guided: t.sum("people_guided"),
            vneid_installs: t.sum("vneid_installs"),
            vneid_level2_activations: t.sum("vneid_level2_activations"),
            unique_citizens_assisted: t.citizens,
            signatures_submitted: t.sum("signatures_submitted"),
            signatures_issued: t.sum("signatures_issued"),
            active_volunteers: t.volunteers,
            digital_skills_certified: t.sum("digital_skills_certified"),
            training_sessions: t.sum("training_sessions"),
            training_attendees: t.sum("training_attendees"),
            households_reached: 0,
            digital_families: 0,
        }
    }
}

/// The teams a caller's statistics are limited to: a volunteer's own; `None` for others.
pub fn team_limit(conn: &mut DbConn, caller: &AuthUser) -> QueryResult<Option<Vec<String>>> {
    if caller.role != Role::Volunteer {
        return Ok(None);
    }
    let teams = crate::teams::queries::memberships(conn, &caller.id)?;
    Ok(Some(teams.into_iter().map(|t| t.team_id).collect()))
}

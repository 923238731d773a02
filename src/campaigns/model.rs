//! Campaigns, targets and the metric names of the contract.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::schema::{campaign_targets, campaigns};
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
    }
}

/// A campaign row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = campaigns)]
pub struct CampaignRow {
    /// UUID.
    pub id: String,
    /// Name.
    pub name: String,
    /// The unit it covers (with everything under it).
    pub unit_code: String,
    /// First day (local).
    pub starts_on: NaiveDate,
    /// Last day (local), inclusive.
    pub ends_on: NaiveDate,
    /// Creator.
    pub created_by: Option<String>,
    /// Creation instant (UTC).
    pub created_at: NaiveDateTime,
    /// Last change (UTC).
    pub updated_at: NaiveDateTime,
}

/// A target row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = campaign_targets)]
pub struct TargetRow {
    /// Campaign.
    pub campaign_id: String,
    /// The campaign's unit or a unit under it.
    pub unit_code: String,
    /// Metric name.
    pub metric: String,
    /// The number to reach by the last day.
    pub target: i64,
}

/// A target as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Target {
    /// The unit the target is for.
    #[schema(example = "00004")]
    pub unit_code: String,
    /// What is counted.
    pub metric: Metric,
    /// The number to reach by the campaign's last day.
    #[schema(example = 200)]
    pub target: i64,
}

/// A campaign with its targets.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "7d9f0c1e-2b3a-4c5d-8e6f-0a1b2c3d4e5f",
    "name": "100 ngày bình dân học vụ số",
    "unit_code": "01",
    "starts_on": "2026-03-01",
    "ends_on": "2026-06-08",
    "targets": [{"unit_code": "01", "metric": "vneid_level2_activations", "target": 50000}],
    "created_at": "2026-02-20T02:00:00Z",
    "updated_at": "2026-02-20T02:00:00Z"
}))]
pub struct Campaign {
    /// UUID.
    pub id: String,
    /// Name.
    pub name: String,
    /// The unit it covers (with everything under it).
    pub unit_code: String,
    /// First day (local, inclusive).
    pub starts_on: NaiveDate,
    /// Last day (local, inclusive).
    pub ends_on: NaiveDate,
    /// Targets, by unit then metric.
    pub targets: Vec<Target>,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Campaign {
    /// A campaign from its row and target rows.
    pub fn new(row: CampaignRow, targets: Vec<TargetRow>) -> Self {
        Self {
            id: row.id,
            name: row.name,
            unit_code: row.unit_code,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            targets: targets
                .into_iter()
                .filter_map(|t| {
                    Metric::parse(&t.metric).map(|metric| Target {
                        unit_code: t.unit_code,
                        metric,
                        target: t.target,
                    })
                })
                .collect(),
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Longest campaign name.
pub const NAME_MAX: usize = 200;

/// Most targets one campaign may carry (a province has at most a few hundred communes).
pub const TARGETS_MAX: usize = 5000;

/// Largest target.
pub const TARGET_MAX: i64 = 1_000_000_000;

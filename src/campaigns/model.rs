//! Campaigns, targets and the metric names of the contract.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::population::PopulationBase;
use crate::schema::{campaign_targets, campaigns};
use crate::stats::model::Metric;

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
    /// What is counted.
    pub metric: Metric,
    /// The number to reach by the last day (0 for a percentage target).
    pub target: i64,
    /// A percentage target: the share of the unit's population figure `of_base`.
    pub percent: Option<f64>,
    /// Which figure a percentage target is a share of.
    pub of_base: Option<PopulationBase>,
}

/// A target as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Target {
    /// The unit the target is for.
    #[schema(example = "00004")]
    pub unit_code: String,
    /// What is counted.
    pub metric: Metric,
    /// The number to reach by the campaign's last day; for a percentage target,
    /// `ceil(percent × population / 100)` from the unit's current figures.
    #[schema(example = 200)]
    pub target: i64,
    /// A percentage target's share, `0 < percent ≤ 100`; absent for a count target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// Which figure a percentage target is a share of; absent for a count target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub of: Option<PopulationBase>,
    /// The figure used; absent for a count target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<i64>,
}

/// A percentage target's count: `ceil(percent × population / 100)`, computed on whole
/// hundredths of a percent so that binary fractions cannot push an exact share up by one.
pub fn share_of(percent: f64, population: i64) -> i64 {
    let hundredths = (percent * 100.0).round() as i128;
    let scaled = hundredths * i128::from(population);
    (scaled.div_euclid(10_000) + i128::from(scaled.rem_euclid(10_000) != 0)) as i64
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
    /// A campaign from its row and target rows; percentage targets take their counts from
    /// `figures` (the current figures of their units).
    pub fn new(row: CampaignRow, targets: Vec<TargetRow>, figures: &HashMap<String, i64>) -> Self {
        Self {
            id: row.id,
            name: row.name,
            unit_code: row.unit_code,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            targets: targets
                .into_iter()
                .map(|t| {
                    let population = t
                        .of_base
                        .and_then(|of| figures.get(&format!("{}|{of}", t.unit_code)).copied());
                    let target = match (t.percent, population) {
                        (Some(percent), Some(n)) => share_of(percent, n),
                        (Some(_), None) => 0,
                        (None, _) => t.target,
                    };
                    Target {
                        unit_code: t.unit_code,
                        metric: t.metric,
                        target,
                        percent: t.percent,
                        of: t.of_base,
                        population,
                    }
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

#[cfg(test)]
mod tests {
    use super::share_of;

    #[test]
    fn a_share_is_rounded_up_to_a_whole_count() {
        assert_eq!(share_of(40.0, 6200), 2480);
        assert_eq!(share_of(40.0, 2601), 1041);
        assert_eq!(share_of(70.0, 10), 7);
        assert_eq!(share_of(0.1, 1), 1);
        assert_eq!(share_of(100.0, 0), 0);
        assert_eq!(share_of(33.33, 300), 100);
    }
}

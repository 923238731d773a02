//! A campaign's progress (`GET /api/v1/campaigns/{id}/progress`): actual against target per
//! unit and metric, and whether each unit is ahead, on track or behind the pro-rated target.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::Campaign;
use crate::access::AuthUser;
use crate::db::DbConn;
use crate::population::PopulationBase;
use crate::schema::units;
use crate::stats::model::Metric;
use crate::stats::model::{Metrics, team_limit};
use crate::stats::queries::{Filter, GroupBy, Tally, UnitFilter, by_hamlet, tally};
use crate::units::UnitKind;

/// How a unit stands against its pro-rated target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProgressStatus {
    /// `actual` ≥ 110% of `expected_by_now`.
    Ahead,
    /// Between 90% and 110%.
    OnTrack,
    /// `actual` < 90% of `expected_by_now`.
    Behind,
}

/// One unit and metric.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressRow {
    /// Unit.
    pub unit_code: String,
    /// Its name.
    pub unit_name: String,
    /// Metric.
    pub metric: Metric,
    /// Target for the whole campaign; `null` when this unit has none. For a percentage
    /// target, `ceil(target_percent × population / 100)` from the unit's current figures.
    pub target: Option<i64>,
    /// A percentage target's share; `null` for a count target.
    pub target_percent: Option<f64>,
    /// Which population figure a percentage target is a share of; `null` for a count target.
    pub of: Option<PopulationBase>,
    /// The population figure used; `null` for a count target.
    pub population: Option<i64>,
    /// `actual` as a percentage of `population`, one decimal; `null` without one.
    pub coverage: Option<f64>,
    /// Counted so far (campaign start to today, or to the end).
    pub actual: i64,
    /// `actual` as a percentage of `target`, one decimal.
    pub percent: Option<f64>,
    /// The target pro-rated over the campaign days elapsed (today included).
    pub expected_by_now: Option<f64>,
    /// Against `expected_by_now`; `null` without a target. Before the first day, on track.
    pub status: Option<ProgressStatus>,
}

/// Progress of a campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct Progress {
    /// Campaign.
    pub campaign_id: String,
    /// When this was computed.
    pub as_of: DateTime<Utc>,
    /// Rows by unit code, then metric.
    pub rows: Vec<ProgressRow>,
}

/// Grouping of progress rows.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// Only `unit` (the default): the campaign's unit and every unit under it.
    #[param(inline)]
    pub by: Option<ProgressBy>,
}

/// How progress rows are grouped; named so more groupings can be added without a break.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProgressBy {
    /// One row per unit and metric.
    Unit,
}

/// The status rule: ahead at 110% of the expected figure or more, behind under 90%.
pub fn status(actual: i64, expected: f64) -> ProgressStatus {
    let actual = actual as f64;
    if expected <= 0.0 {
        ProgressStatus::OnTrack
    } else if actual * 10.0 >= expected * 11.0 {
        ProgressStatus::Ahead
    } else if actual * 10.0 < expected * 9.0 {
        ProgressStatus::Behind
    } else {
        ProgressStatus::OnTrack
    }
}

/// Share of the campaign elapsed on `day` (its first day counts as one day elapsed).
pub fn elapsed_share(starts_on: NaiveDate, ends_on: NaiveDate, day: NaiveDate) -> f64 {
    let total = (ends_on - starts_on).num_days() + 1;
    let elapsed = ((day - starts_on).num_days() + 1).clamp(0, total);
    elapsed as f64 / total as f64
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Actual against target per unit and metric of `campaign`, for its units in the caller's
/// scope: the campaign's unit and each commune under it (a province target still shows
/// every commune's actual), then each hamlet given a target, its actual on today's map
/// (`stats/breakdown?by=hamlet&map=current`).
/// `households_reached` and `digital_families` of the campaign's unit, its communes and
/// their hamlets (the rollups do not hold them).
fn household_metrics(
    conn: &mut DbConn,
    filter: &Filter,
    unit: &str,
    last: NaiveDate,
) -> QueryResult<HashMap<String, (i64, i64)>> {
    use crate::stats::households::{Group, digital_families, reached};
    let mut out: HashMap<String, (i64, i64)> = HashMap::new();
    for group in [Group::Nothing, Group::Commune, Group::Hamlet] {
        let r = reached(conn, filter, group)?;
        let d = digital_families(conn, filter, group, last)?;
        let mut keys: Vec<&String> = r.keys().chain(d.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let key = if k.is_empty() {
                unit.to_owned()
            } else {
                k.clone()
            };
            out.insert(
                key,
                (
                    r.get(k).copied().unwrap_or(0),
                    d.get(k).copied().unwrap_or(0),
                ),
            );
        }
    }
    Ok(out)
}

pub fn of(conn: &mut DbConn, caller: &AuthUser, campaign: Campaign) -> QueryResult<Progress> {
    let today = crate::clock::today();
    let last = today.min(campaign.ends_on);
    let (kind, name): (String, String) = units::table
        .find(&campaign.unit_code)
        .select((units::kind, units::name))
        .first(conn)?;
    let province = UnitKind::parse(&kind).is_some_and(UnitKind::is_province);
    let mut names: BTreeMap<String, String> = BTreeMap::from([(campaign.unit_code.clone(), name)]);
    if province {
        let communes: Vec<(String, String)> = units::table
            .filter(units::parent_code.eq(&campaign.unit_code))
            .select((units::code, units::name))
            .load(conn)?;
        names.extend(communes);
    }
    let mut hamlet_names: BTreeMap<String, String> = BTreeMap::new();
    let teams = team_limit(conn, caller)?;
    let filter = Filter {
        unit: if province {
            UnitFilter::Province(campaign.unit_code.clone())
        } else {
            UnitFilter::Commune(campaign.unit_code.clone())
        },
        teams,
        from: campaign.starts_on,
        to: last,
        approved_only: false,
    };
    let mut per_unit: HashMap<String, Tally> = HashMap::new();
    if last >= campaign.starts_on {
        per_unit = tally(conn, &filter, GroupBy::Commune)?;
        if province {
            let whole = tally(conn, &filter, GroupBy::Nothing)?.remove("");
            per_unit.insert(campaign.unit_code.clone(), whole.unwrap_or_default());
        }
    }
    let hamlet_codes: Vec<String> = campaign
        .targets
        .iter()
        .map(|t| t.unit_code.clone())
        .filter(|c| crate::units::hamlets::commune_of(c).is_some())
        .collect();
    let hamlets = crate::units::hamlets::queries::find_many(conn, &hamlet_codes)?;
    let mut communes: Vec<&str> = hamlets.iter().map(|h| h.commune_code.as_str()).collect();
    communes.sort_unstable();
    communes.dedup();
    for commune in communes {
        let parent = province.then_some(campaign.unit_code.as_str());
        if last < campaign.starts_on || !caller.scope.contains(Some(commune), parent) {
            continue;
        }
        let follow = crate::units::hamlets::rearrangements::current_map(conn, commune)?;
        let place = |code: &str| follow.get(code).cloned().unwrap_or_else(|| code.to_owned());
        let one = Filter {
            unit: UnitFilter::Commune(commune.to_owned()),
            ..filter.clone()
        };
        per_unit.extend(by_hamlet(conn, &one, commune, &place)?);
    }
    for h in hamlets {
        let parent = province.then_some(campaign.unit_code.as_str());
        if caller.scope.contains(Some(&h.commune_code), parent) {
            hamlet_names.insert(h.code, h.name);
        }
    }
    let mut metrics: Vec<Metric> = campaign.targets.iter().map(|t| t.metric).collect();
    metrics.sort();
    metrics.dedup();
    let doors = if last >= campaign.starts_on
        && metrics
            .iter()
            .any(|m| matches!(m, Metric::HouseholdsReached | Metric::DigitalFamilies))
    {
        household_metrics(conn, &filter, &campaign.unit_code, last)?
    } else {
        HashMap::new()
    };
    let share = elapsed_share(campaign.starts_on, campaign.ends_on, today);
    let mut rows = Vec::new();
    let units = names.iter().filter(|(code, _)| {
        let parent = (*code != &campaign.unit_code).then_some(campaign.unit_code.as_str());
        caller.scope.contains(Some(code), parent)
    });
    for (code, unit_name) in units.chain(hamlet_names.iter()) {
        let mut values = per_unit.get(code).map(Metrics::from).unwrap_or_default();
        if let Some((reached, families)) = doors.get(code) {
            values.households_reached = *reached;
            values.digital_families = *families;
        }
        for metric in &metrics {
            let set = campaign
                .targets
                .iter()
                .find(|t| &t.unit_code == code && t.metric == *metric);
            let target = set.map(|t| t.target);
            let population = set.and_then(|t| t.population);
            let actual = values.get(*metric);
            let expected = target.map(|t| round1(t as f64 * share));
            rows.push(ProgressRow {
                unit_code: code.clone(),
                unit_name: unit_name.clone(),
                metric: *metric,
                target,
                target_percent: set.and_then(|t| t.percent),
                of: set.and_then(|t| t.of),
                population,
                coverage: population
                    .filter(|p| *p > 0)
                    .map(|p| round1(actual as f64 * 100.0 / p as f64)),
                actual,
                percent: target
                    .filter(|t| *t > 0)
                    .map(|t| round1(actual as f64 * 100.0 / t as f64)),
                expected_by_now: expected,
                status: expected.map(|e| status(actual, e)),
            });
        }
    }
    Ok(Progress {
        campaign_id: campaign.id,
        as_of: Utc::now(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_rule() {
        assert_eq!(status(110, 100.0), ProgressStatus::Ahead);
        assert_eq!(status(109, 100.0), ProgressStatus::OnTrack);
        assert_eq!(status(90, 100.0), ProgressStatus::OnTrack);
        assert_eq!(status(89, 100.0), ProgressStatus::Behind);
        assert_eq!(status(0, 0.0), ProgressStatus::OnTrack);
    }

    #[test]
    fn elapsed_days_are_inclusive() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            elapsed_share(d("2026-03-01"), d("2026-03-10"), d("2026-03-01")),
            0.1
        );
        assert_eq!(
            elapsed_share(d("2026-03-01"), d("2026-03-10"), d("2026-02-20")),
            0.0
        );
        assert_eq!(
            elapsed_share(d("2026-03-01"), d("2026-03-10"), d("2026-04-01")),
            1.0
        );
    }
}

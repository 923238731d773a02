//! `GET /api/v1/stats/summary` and `GET /api/v1/stats/breakdown`, read from the rollups.

pub mod csv;
mod household_metrics;

use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{Datelike, NaiveDate, TimeDelta};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::Metric;
use super::model::team_limit;
use super::model::{METRIC_COLUMNS, Metrics};
use super::queries::{self, Filter, GroupBy, Tally, UnitFilter};
use crate::access::{AuthUser, Reader};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::extract::ApiQuery;
use crate::messages as msg;
use crate::population::PopulationBase;
use crate::schema::{teams, units, users};
use crate::state::AppState;

/// Parameters of a summary.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// Province or commune (default: the caller's unit; the whole country for admins).
    #[param(example = "01")]
    pub unit: Option<String>,
    /// First local day, inclusive (default: 29 days before `to`).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Last local day, inclusive (default: today in Vietnam).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// `approved` counts approved records only.
    pub review: Option<String>,
}

/// How to group a breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// The units one level under `unit`.
    Unit,
    /// Teams.
    Team,
    /// Volunteers.
    Volunteer,
    /// Local days (`2026-03-14`).
    Day,
    /// ISO weeks (`2026-W11`).
    Week,
    /// Calendar months (`2026-03`).
    Month,
    /// A commune's hamlets and residential groups (on a commune only), placed as `map` says.
    Hamlet,
}

/// How `by=hamlet` places a record logged with a hamlet code that a rearrangement closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HamletMap {
    /// Today's map: a merged hamlet's records under the hamlet it became; a split hamlet's
    /// under its closed row (`closed: true`), since nothing tells which part they were in.
    Current,
    /// The code as the phone sent it.
    AsRecorded,
}

/// Parameters of a breakdown.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BreakdownQuery {
    /// Province or commune (default: the caller's unit; the whole country for admins).
    #[param(example = "01")]
    pub unit: Option<String>,
    /// Grouping.
    pub by: By,
    /// First local day, inclusive (default: 29 days before `to`).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Last local day, inclusive (default: today in Vietnam).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// `approved` counts approved records only.
    pub review: Option<String>,
    /// With `by=unit`: add each unit's population figure of this base and every metric
    /// per 100 of it, so units of different sizes compare fairly.
    #[param(inline)]
    pub per: Option<PopulationBase>,
    /// With `by=hamlet`: `current` (default) or `as_recorded`.
    #[param(inline)]
    pub map: Option<HamletMap>,
}

/// Every metric over a unit and period.
#[derive(Debug, Serialize, ToSchema)]
pub struct Summary {
    /// The unit; `null` for the whole country.
    pub unit_code: Option<String>,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Every metric.
    pub metrics: Metrics,
}

/// One group of a breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownRow {
    /// Unit code, team id, volunteer id, day, ISO week, month or hamlet code; `null` only
    /// for the records of no hamlet in `by=hamlet`.
    pub key: Option<String>,
    /// The unit's, team's or volunteer's name (the key again for periods).
    pub label: String,
    /// Every metric.
    pub metrics: Metrics,
    /// Only with `per`: the unit's figure of that base; `null` where it has no figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub population: Option<Option<i64>>,
    /// Only with `per`: each metric per 100 of `population`, one decimal; `null` where the
    /// unit has no figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<Metric, f64>>)]
    pub per_100: Option<Option<BTreeMap<Metric, f64>>>,
    /// Only with `by=hamlet`: whether the hamlet has been closed by a rearrangement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<bool>,
}

impl BreakdownRow {
    /// Adds the unit's figure of the chosen base and the metrics per 100 of it.
    fn set_population(&mut self, population: Option<i64>) {
        let metrics = &self.metrics;
        let per_100 = population.filter(|p| *p > 0).map(|p| {
            Metric::ALL
                .iter()
                .map(|m| {
                    let value = metrics.get(*m) as f64 * 100.0 / p as f64;
                    (*m, (value * 10.0).round() / 10.0)
                })
                .collect()
        });
        self.population = Some(population);
        self.per_100 = Some(per_100);
    }
}

/// Every metric per group.
#[derive(Debug, Serialize, ToSchema)]
pub struct Breakdown {
    /// The unit; `null` for the whole country.
    pub unit_code: Option<String>,
    /// Grouping.
    pub by: By,
    /// Only with `by=hamlet`: the map the rows follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map: Option<HamletMap>,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Rows sorted by key (`null` last).
    pub rows: Vec<BreakdownRow>,
}

/// Longest period a statistic covers.
const PERIOD_MAX_DAYS: i64 = 3660;

/// The checked period and review choice.
fn period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    review: Option<&str>,
) -> ApiResult<(NaiveDate, NaiveDate, bool)> {
    let to = to.unwrap_or_else(crate::clock::today);
    let from = from.unwrap_or(to - TimeDelta::days(29));
    let mut errors = Vec::new();
    if from > to {
        errors.push(FieldError::new("to", "before_from", msg::BEFORE_FROM));
    } else if (to - from).num_days() >= PERIOD_MAX_DAYS {
        errors.push(FieldError::new(
            "from",
            "too_long",
            msg::at_most_days(PERIOD_MAX_DAYS),
        ));
    }
    let approved_only = match review {
        None | Some("") => false,
        Some("approved") => true,
        Some(_) => {
            errors.push(FieldError::new(
                "review",
                "invalid_choice",
                msg::APPROVED_ONLY,
            ));
            false
        }
    };
    if errors.is_empty() {
        Ok((from, to, approved_only))
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The unit a statistic is about, checked against the caller's scope, and the teams a
/// volunteer is limited to.
fn subject(
    conn: &mut DbConn,
    caller: &AuthUser,
    unit: Option<String>,
) -> ApiResult<(Option<String>, UnitFilter, Option<Vec<String>>)> {
    let unit = unit
        .filter(|u| !u.is_empty())
        .or_else(|| caller.unit_code.clone());
    let filter = match &unit {
        None => UnitFilter::National,
        Some(code) => {
            crate::units::require_in_scope(conn, &caller.scope, code)?;
            let row = crate::units::queries::find(conn, code)?
                .ok_or_else(|| ApiError::NotFound(msg::NOT_FOUND_UNIT))?;
            if row.kind.is_province() {
                UnitFilter::Province(code.clone())
            } else {
                UnitFilter::Commune(code.clone())
            }
        }
    };
    let teams = team_limit(conn, caller)?;
    Ok((unit, filter, teams))
}

/// Every metric for a unit and period (`?review=approved` for approved records only).
/// Voided and rejected records never count; a duplicate-flagged record counts once approved.
#[utoipa::path(
    tag = "stats",
    params(SummaryQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every metric (CSV with `Accept: text/csv`, or at `/api/v1/stats/summary.csv`)", content(
            (Summary = "application/json"),
            (String = "text/csv")
        )),
        (status = 404, description = "`unit` is outside the caller's scope")
    )
)]
#[get("/stats/summary")]
pub async fn summary(
    req: HttpRequest,
    Reader(caller): Reader,
    state: web::Data<AppState>,
    q: ApiQuery<SummaryQuery>,
) -> ApiResult<HttpResponse> {
    summary_any(req, caller, state, q).await
}

/// [`summary`] as CSV.
#[utoipa::path(
    tag = "stats",
    params(SummaryQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every metric as CSV (UTF-8 with BOM, header row)", body = String, content_type = "text/csv"),
        (status = 404, description = "`unit` is outside the caller's scope")
    )
)]
#[get("/stats/summary.csv")]
pub async fn summary_csv(
    req: HttpRequest,
    Reader(caller): Reader,
    state: web::Data<AppState>,
    q: ApiQuery<SummaryQuery>,
) -> ApiResult<HttpResponse> {
    summary_any(req, caller, state, q).await
}

async fn summary_any(
    req: HttpRequest,
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiQuery(q): ApiQuery<SummaryQuery>,
) -> ApiResult<HttpResponse> {
    let (from, to, approved_only) = period(q.from, q.to, q.review.as_deref())?;
    let answer = state
        .stats(move |conn| {
            let (unit_code, unit, teams) = subject(conn, &caller, q.unit)?;
            let filter = Filter {
                unit,
                teams,
                from,
                to,
                approved_only,
            };
            let tallies = queries::tally(conn, &filter, GroupBy::Nothing)?;
            let mut metrics = tallies.get("").map(Metrics::from).unwrap_or_default();
            crate::stats::households::add_to(conn, &filter, &mut metrics)?;
            Ok::<_, ApiError>(Summary {
                unit_code,
                from,
                to,
                metrics,
            })
        })
        .await?;
    if csv::wanted(&req) {
        let mut header = vec!["unit_code", "from", "to"];
        header.extend(METRIC_COLUMNS);
        let mut row = vec![
            answer.unit_code.clone().unwrap_or_default(),
            answer.from.to_string(),
            answer.to.to_string(),
        ];
        row.extend(answer.metrics.cells());
        return csv::respond("summary.csv", &header, vec![row]);
    }
    Ok(csv::negotiated_json(&answer))
}

/// Every metric per unit one level down, team, volunteer, day, ISO week or month.
/// `by=unit` lists every unit under `unit` (zeros included); other groupings list groups
/// with numbers. Rows sort by key.
#[utoipa::path(
    tag = "stats",
    params(BreakdownQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Rows per group (CSV with `Accept: text/csv`, or at `/api/v1/stats/breakdown.csv`)", content(
            (Breakdown = "application/json"),
            (String = "text/csv")
        )),
        (status = 404, description = "`unit` is outside the caller's scope")
    )
)]
#[get("/stats/breakdown")]
pub async fn breakdown(
    req: HttpRequest,
    Reader(caller): Reader,
    state: web::Data<AppState>,
    q: ApiQuery<BreakdownQuery>,
) -> ApiResult<HttpResponse> {
    breakdown_any(req, caller, state, q).await
}

/// [`breakdown`] as CSV.
#[utoipa::path(
    tag = "stats",
    params(BreakdownQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Rows per group as CSV (UTF-8 with BOM, header row)", body = String, content_type = "text/csv"),
        (status = 404, description = "`unit` is outside the caller's scope")
    )
)]
#[get("/stats/breakdown.csv")]
pub async fn breakdown_csv(
    req: HttpRequest,
    Reader(caller): Reader,
    state: web::Data<AppState>,
    q: ApiQuery<BreakdownQuery>,
) -> ApiResult<HttpResponse> {
    breakdown_any(req, caller, state, q).await
}

async fn breakdown_any(
    req: HttpRequest,
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiQuery(q): ApiQuery<BreakdownQuery>,
) -> ApiResult<HttpResponse> {
    let (from, to, approved_only) = period(q.from, q.to, q.review.as_deref())?;
    let by = q.by;
    let answer = state
        .stats(move |conn| {
            let (unit_code, unit, teams) = subject(conn, &caller, q.unit)?;
            if by == By::Unit && matches!(unit, UnitFilter::Commune(_)) {
                return Err(ApiError::field("by", "nothing_below", msg::NOTHING_BELOW));
            }
            if by == By::Hamlet && !matches!(unit, UnitFilter::Commune(_)) {
                return Err(ApiError::field(
                    "by",
                    "hamlets_of_a_commune",
                    msg::HAMLETS_OF_A_COMMUNE,
                ));
            }
            if q.map.is_some() && by != By::Hamlet {
                return Err(ApiError::field(
                    "map",
                    "only_by_hamlet",
                    msg::MAP_ONLY_BY_HAMLET,
                ));
            }
            let map = (by == By::Hamlet).then(|| q.map.unwrap_or(HamletMap::Current));
            if q.per.is_some() && by != By::Unit {
                return Err(ApiError::field(
                    "per",
                    "only_by_unit",
                    msg::PER_ONLY_BY_UNIT,
                ));
            }
            let filter = Filter {
                unit,
                teams,
                from,
                to,
                approved_only,
            };
            let mut rows = rows(conn, by, &filter, map.unwrap_or(HamletMap::Current))?;
            household_metrics::fill(conn, by, &filter, &mut rows)?;
            if let Some(base) = q.per {
                let codes: Vec<&str> = rows.iter().filter_map(|r| r.key.as_deref()).collect();
                let figures = crate::population::service::effective_many(conn, &codes)?;
                let owned: Vec<String> = codes.iter().map(|c| (*c).to_owned()).collect();
                let registered = if base == PopulationBase::RegisteredHouseholds {
                    crate::households::figures::registered(conn, &owned)?
                } else {
                    HashMap::new()
                };
                for row in &mut rows {
                    let population = row
                        .key
                        .as_ref()
                        .and_then(|k| figures.get(k))
                        .and_then(|p| p.of(base))
                        .or_else(|| registered.get(row.key.as_deref()?).copied());
                    row.set_population(population);
                }
            }
            Ok(Breakdown {
                unit_code,
                by,
                map,
                from,
                to,
                rows,
            })
        })
        .await?;
    if csv::wanted(&req) {
        let mut header: Vec<String> = ["key", "label"].map(String::from).to_vec();
        header.extend(METRIC_COLUMNS.map(String::from));
        if answer.rows.iter().any(|r| r.population.is_some()) {
            header.push("population".into());
            header.extend(METRIC_COLUMNS.map(|m| format!("{m}_per_100")));
        }
        if answer.map.is_some() {
            header.push("closed".into());
        }
        let rows = answer
            .rows
            .iter()
            .map(|r| {
                let mut cells = vec![r.key.clone().unwrap_or_default(), r.label.clone()];
                cells.extend(r.metrics.cells());
                if let Some(population) = r.population {
                    cells.push(population.map(|p| p.to_string()).unwrap_or_default());
                    cells.extend(Metric::ALL.iter().map(|m| {
                        r.per_100
                            .as_ref()
                            .and_then(|v| v.as_ref()?.get(m))
                            .map(|v| v.to_string())
                            .unwrap_or_default()
                    }));
                }
                if answer.map.is_some() {
                    cells.push(r.closed.map(|c| c.to_string()).unwrap_or_default());
                }
                cells
            })
            .collect();
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        return csv::respond("breakdown.csv", &header, rows);
    }
    Ok(csv::negotiated_json(&answer))
}

/// The periods a week or month breakdown splits `from..=to` into, with their keys: each
/// is tallied on its own, because distinct counts do not add up across days.
fn periods(by: By, from: NaiveDate, to: NaiveDate) -> Vec<(String, NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let (key, end) = if by == By::Week {
            let w = start.iso_week();
            let sunday =
                start + TimeDelta::days(6 - i64::from(start.weekday().num_days_from_monday()));
            (format!("{}-W{:02}", w.year(), w.week()), sunday)
        } else {
            let next = if start.month() == 12 {
                NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
            }
            .expect("the first of a month is a date");
            (
                format!("{}-{:02}", start.year(), start.month()),
                next - TimeDelta::days(1),
            )
        };
        let end = end.min(to);
        out.push((key, start, end));
        start = end + TimeDelta::days(1);
    }
    out
}

/// The breakdown's groups, with labels (hamlets placed as `map` says).
fn rows(
    conn: &mut DbConn,
    by: By,
    filter: &Filter,
    map: HamletMap,
) -> ApiResult<Vec<BreakdownRow>> {
    let mut buckets: BTreeMap<String, Tally> = BTreeMap::new();
    let mut labels: HashMap<String, String> = HashMap::new();
    match by {
        By::Unit => {
            let children: Vec<(String, String)> = match &filter.unit {
                UnitFilter::National => units::table
                    .filter(units::parent_code.is_null())
                    .select((units::code, units::name))
                    .load(conn)?,
                UnitFilter::Province(p) => units::table
                    .filter(units::parent_code.eq(p))
                    .select((units::code, units::name))
                    .load(conn)?,
                UnitFilter::Commune(_) => Vec::new(),
            };
            if matches!(filter.unit, UnitFilter::National) {
                for (code, _) in &children {
                    let one = Filter {
                        unit: UnitFilter::Province(code.clone()),
                        ..filter.clone()
                    };
                    let t = queries::tally(conn, &one, GroupBy::Nothing)?;
                    buckets.insert(code.clone(), t.into_values().next().unwrap_or_default());
                }
            } else {
                buckets.extend(queries::tally(conn, filter, GroupBy::Commune)?);
            }
            for (code, name) in children {
                buckets.entry(code.clone()).or_default();
                labels.insert(code, name);
            }
        }
        By::Team => buckets.extend(queries::tally(conn, filter, GroupBy::Team)?),
        By::Volunteer => buckets.extend(queries::tally(conn, filter, GroupBy::Volunteer)?),
        By::Day => buckets.extend(queries::tally(conn, filter, GroupBy::Day)?),
        By::Hamlet => return hamlet_rows(conn, filter, map),
        By::Week | By::Month => {
            for (key, from, to) in periods(by, filter.from, filter.to) {
                let one = Filter {
                    from,
                    to,
                    ..filter.clone()
                };
                if let Some(t) = queries::tally(conn, &one, GroupBy::Nothing)?.remove("") {
                    buckets.insert(key, t);
                }
            }
        }
    }
    let keys: Vec<String> = buckets.keys().cloned().collect();
    match by {
        By::Team => labels.extend(
            teams::table
                .filter(teams::id.eq_any(&keys))
                .select((teams::id, teams::name))
                .load::<(String, String)>(conn)?,
        ),
        By::Volunteer => labels.extend(
            users::table
                .filter(users::id.eq_any(&keys))
                .select((users::id, users::full_name))
                .load::<(String, String)>(conn)?,
        ),
        _ => {}
    }
    Ok(buckets
        .into_iter()
        .map(|(key, t)| BreakdownRow {
            label: labels.get(&key).cloned().unwrap_or_else(|| key.clone()),
            metrics: Metrics::from(&t),
            key: Some(key),
            population: None,
            per_100: None,
            closed: None,
        })
        .collect())
}

/// The rows of `by=hamlet` on a commune: every hamlet valid today and every one with
/// numbers, each with its name and whether it is closed, and the records of no hamlet
/// under `key: null`, last.
fn hamlet_rows(conn: &mut DbConn, filter: &Filter, map: HamletMap) -> ApiResult<Vec<BreakdownRow>> {
    use crate::units::hamlets;
    let UnitFilter::Commune(commune) = &filter.unit else {
        return Ok(Vec::new());
    };
    let follow = match map {
        HamletMap::Current => hamlets::rearrangements::current_map(conn, commune)?,
        HamletMap::AsRecorded => HashMap::new(),
    };
    let place = |code: &str| follow.get(code).cloned().unwrap_or_else(|| code.to_owned());
    let mut tallies = queries::by_hamlet(conn, filter, commune, &place)?;
    let none = tallies.remove("");
    let today = crate::clock::today();
    let all = hamlets::queries::of_commune(conn, commune)?;
    let mut out: Vec<BreakdownRow> = all
        .into_iter()
        .filter_map(|h| {
            let t = tallies.remove(&h.code);
            let open = h.valid_to.is_none_or(|to| to >= today);
            (t.is_some() || (open && h.valid_from <= today)).then(|| BreakdownRow {
                metrics: Metrics::from(&t.unwrap_or_default()),
                label: h.name,
                key: Some(h.code),
                population: None,
                per_100: None,
                closed: Some(!open),
            })
        })
        .collect();
    // A code no hamlet has is impossible (records are checked); rows of one would still
    // be shown rather than lost from the sum.
    out.extend(tallies.into_iter().map(|(code, t)| BreakdownRow {
        metrics: Metrics::from(&t),
        label: code.clone(),
        key: Some(code),
        population: None,
        per_100: None,
        closed: None,
    }));
    out.sort_by(|a, b| a.key.cmp(&b.key));
    if let Some(t) = none {
        out.push(BreakdownRow {
            metrics: Metrics::from(&t),
            label: String::new(),
            key: None,
            population: None,
            per_100: None,
            closed: None,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weeks_split_on_mondays_and_keep_iso_years() {
        let p = periods(By::Week, day("2026-12-30"), day("2027-01-12"));
        let keys: Vec<(&str, NaiveDate, NaiveDate)> =
            p.iter().map(|(k, a, b)| (k.as_str(), *a, *b)).collect();
        assert_eq!(
            keys,
            vec![
                ("2026-W53", day("2026-12-30"), day("2027-01-03")),
                ("2027-W01", day("2027-01-04"), day("2027-01-10")),
                ("2027-W02", day("2027-01-11"), day("2027-01-12")),
            ]
        );
    }

    #[test]
    fn months_split_on_the_first_and_cover_every_day_once() {
        let p = periods(By::Month, day("2026-01-31"), day("2026-03-01"));
        let keys: Vec<(&str, NaiveDate, NaiveDate)> =
            p.iter().map(|(k, a, b)| (k.as_str(), *a, *b)).collect();
        assert_eq!(
            keys,
            vec![
                ("2026-01", day("2026-01-31"), day("2026-01-31")),
                ("2026-02", day("2026-02-01"), day("2026-02-28")),
                ("2026-03", day("2026-03-01"), day("2026-03-01")),
            ]
        );
        let p = periods(By::Month, day("2026-12-15"), day("2027-01-02"));
        assert_eq!(p[1].0, "2027-01");
        assert_eq!(
            periods(By::Week, day("2026-05-05"), day("2026-05-05")).len(),
            1
        );
    }
}

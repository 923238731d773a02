//! `stats/households`: the Digital Family counted per hamlet or per unit, as of any day.
//! Open households, digital families and each criterion come from the counts
//! (`tally`); households visited and reached in a period from the visits naming them; a
//! current hamlet is a digital residential area (khu dân cư số) when at least 10 households
//! are open in it, the province's share of them are digital families, and, where the hamlet
//! has a `households` population figure, its open households are at least 90% of it.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, TimeDelta};
use diesel::dsl::{count, sum};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{Criterion, Definition};
use super::queries;
use super::service::HouseholdError;
use super::tally::Counts;
use crate::access::AuthUser;
use crate::access::roles::{Role, Scope};
use crate::db::DbConn;
use crate::error::FieldError;
use crate::messages as msg;
use crate::schema::{
    hamlets, household_count_days as days, household_counts as now, households as h, records,
    unit_population, units,
};

/// Least open households of a digital residential area.
pub const AREA_MIN_HOUSEHOLDS: i32 = 10;
/// Least share of the hamlet's `households` figure registered, in percent.
pub const AREA_MIN_REGISTERED: i64 = 90;
/// Longest visit period.
const PERIOD_MAX_DAYS: i64 = 3660;

/// How the rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdsBy {
    /// A commune's hamlets and residential groups.
    Hamlet,
    /// The units one level down (a commune's hamlets, a province's communes, the provinces).
    Unit,
}

/// What is asked.
#[derive(Debug, Default)]
pub struct FigureQuery {
    /// Province or commune (default the caller's unit; the country for admins).
    pub unit: Option<String>,
    /// Grouping (default `hamlet` on a commune, `unit` otherwise).
    pub by: Option<HouseholdsBy>,
    /// The day the households stood on (default today).
    pub as_of: Option<NaiveDate>,
    /// First day of the visits counted.
    pub from: Option<NaiveDate>,
    /// Last day of the visits counted.
    pub to: Option<NaiveDate>,
}

/// One row.
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureRow {
    /// Hamlet or unit code.
    pub key: String,
    /// Its name.
    pub label: String,
    /// Open households at the end of `as_of`.
    pub households: i32,
    /// Households with any counted visit in `from`–`to`.
    pub visited: i32,
    /// Households with a counted `guided` visit in `from`–`to`.
    pub reached: i32,
    /// Digital families among the open households.
    pub digital_families: i32,
    /// Digital families per 100 open households (one decimal); `null` with none.
    pub digital_family_share: Option<f64>,
    /// Open households with each criterion `true`.
    #[schema(value_type = Object, example = json!({"smart_device": 12, "internet": 10}))]
    pub criteria: BTreeMap<Criterion, i32>,
    /// Hamlet rows: whether it is a digital residential area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digital_residential_area: Option<bool>,
    /// Unit rows: how many of its hamlets are digital residential areas.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digital_residential_areas: Option<i32>,
}

/// The answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Figures {
    /// The unit; `null` for the whole country.
    pub unit_code: Option<String>,
    /// The day the households stood on.
    pub as_of: NaiveDate,
    /// First day of the visits counted.
    pub from: NaiveDate,
    /// Last day of the visits counted.
    pub to: NaiveDate,
    /// The grouping.
    pub by: HouseholdsBy,
    /// Rows in key order.
    pub rows: Vec<FigureRow>,
}

fn share(part: i32, whole: i32) -> Option<f64> {
    (whole > 0).then(|| (f64::from(part) * 1000.0 / f64::from(whole)).round() / 10.0)
}

/// Whether a hamlet is a digital residential area.
pub fn is_area(c: &Counts, share_pct: i32, figure: Option<i64>) -> bool {
    c.households >= AREA_MIN_HOUSEHOLDS
        && i64::from(c.digital_families) * 100 >= i64::from(share_pct) * i64::from(c.households)
        && figure.is_none_or(|f| i64::from(c.households) * 100 >= AREA_MIN_REGISTERED * f)
}

type SumRow = (
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

fn counts_of(r: &SumRow) -> Counts {
    let n = |v: Option<i64>| i32::try_from(v.unwrap_or(0)).unwrap_or(i32::MAX);
    Counts {
        households: n(r.2),
        digital_families: n(r.3),
        criteria: [
            n(r.4),
            n(r.5),
            n(r.6),
            n(r.7),
            n(r.8),
            n(r.9),
            n(r.10),
            n(r.11),
        ],
    }
}

/// Each hamlet's counts at the end of `as_of`: today's, less the changes after it.
pub fn hamlet_counts(
    conn: &mut DbConn,
    communes: &[String],
    as_of: NaiveDate,
) -> QueryResult<HashMap<String, (String, Counts)>> {
    let mut out: HashMap<String, (String, Counts)> = HashMap::new();
    for chunk in communes.chunks(5000) {
        for row in now::table
            .filter(now::commune_code.eq_any(chunk))
            .select(super::tally::CountRow::as_select())
            .load(conn)?
        {
            let (hamlet, commune, c) = row.parts();
            out.insert(hamlet, (commune, c));
        }
        let later: Vec<SumRow> = days::table
            .filter(days::commune_code.eq_any(chunk))
            .filter(days::day.gt(as_of))
            .group_by((days::hamlet_code, days::commune_code))
            .select((
                days::hamlet_code,
                days::commune_code,
                sum(days::households),
                sum(days::digital_families),
                sum(days::smart_device),
                sum(days::internet),
                sum(days::vneid_all_adults),
                sum(days::online_public_services),
                sum(days::cashless_payment),
                sum(days::digital_skills),
                sum(days::digital_signature),
                sum(days::online_safety),
            ))
            .load(conn)?;
        for r in later {
            let entry = out
                .entry(r.0.clone())
                .or_insert_with(|| (r.1.clone(), Counts::default()));
            entry.1.sub(&counts_of(&r));
        }
    }
    Ok(out)
}

/// Households visited (any counted visit) and reached (a `guided` one) per hamlet.
fn visits(
    conn: &mut DbConn,
    communes: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<(HashMap<String, i64>, HashMap<String, i64>)> {
    let mut visited = HashMap::new();
    let mut reached = HashMap::new();
    for chunk in communes.chunks(5000) {
        let base = || {
            records::table
                .inner_join(h::table.on(records::household_id.eq(h::id.nullable())))
                // Named, so that the partial index of visits naming a household is used.
                .filter(records::household_id.is_not_null())
                .filter(records::commune_code.eq_any(chunk))
                // Only visits name a household; saying `kind` too would lead SQLite's
                // planner to the index by kind instead of the partial one.
                .filter(records::voided.eq(false))
                .filter(records::review_status.ne("rejected"))
                .filter(records::occurred_on.between(from, to))
                .group_by(h::hamlet_code)
                .select((
                    h::hamlet_code,
                    count(records::household_id).aggregate_distinct(),
                ))
                .into_boxed()
        };
        visited.extend(base().load::<(String, i64)>(conn)?);
        reached.extend(
            base()
                .filter(records::outcome.eq("guided"))
                .load::<(String, i64)>(conn)?,
        );
    }
    Ok((visited, reached))
}

/// The figures a caller asks for: supervisors and dashboard keys in scope; a volunteer for
/// the hamlets of their teams.
pub fn figures(
    conn: &mut DbConn,
    caller: &AuthUser,
    q: FigureQuery,
) -> Result<Figures, HouseholdError> {
    let today = crate::clock::today();
    let as_of = q.as_of.unwrap_or(today);
    let to = q.to.unwrap_or(as_of);
    let from = q.from.unwrap_or(to - TimeDelta::days(29));
    let mut errors = Vec::new();
    if as_of > today {
        errors.push(FieldError::new("as_of", "in_future", msg::IN_FUTURE));
    }
    if from > to {
        errors.push(FieldError::new("to", "before_from", msg::BEFORE_FROM));
    } else if (to - from).num_days() >= PERIOD_MAX_DAYS {
        errors.push(FieldError::new(
            "from",
            "too_long",
            msg::at_most_days(PERIOD_MAX_DAYS),
        ));
    }
    let unit = q
        .unit
        .filter(|u| !u.is_empty())
        .or_else(|| caller.unit_code.clone());
    let parent = match &unit {
        None => None,
        Some(code) => {
            let parent = queries::unit_parent(conn, code)?.ok_or(HouseholdError::NotFound)?;
            if !caller.scope.contains(Some(code), parent.as_deref()) {
                return Err(HouseholdError::NotFound);
            }
            Some(parent)
        }
    };
    let is_commune = matches!(parent, Some(Some(_)));
    let by = q.by.unwrap_or(if is_commune {
        HouseholdsBy::Hamlet
    } else {
        HouseholdsBy::Unit
    });
    if by == HouseholdsBy::Hamlet && !is_commune {
        errors.push(FieldError::new(
            "by",
            "not_a_commune",
            msg::NOT_A_COMMUNE_UNIT,
        ));
    }
    if !errors.is_empty() {
        return Err(HouseholdError::Invalid(errors));
    }
    let communes: Vec<String> = match (&unit, is_commune) {
        (Some(c), true) => vec![c.clone()],
        (Some(p), false) => queries::communes_of(conn, p)?,
        (None, _) => units::table
            .filter(units::parent_code.is_not_null())
            .select(units::code)
            .load(conn)?,
    };
    let mut counts = hamlet_counts(conn, &communes, as_of)?;
    let (visited, reached) = visits(conn, &communes, from, to)?;
    // Every hamlet valid on the day, even with no household yet.
    let mut places: HashMap<String, (String, String, bool)> = HashMap::new();
    for chunk in communes.chunks(5000) {
        for (code, commune, name, valid_from, valid_to) in hamlets::table
            .filter(hamlets::commune_code.eq_any(chunk))
            .select((
                hamlets::code,
                hamlets::commune_code,
                hamlets::name,
                hamlets::valid_from,
                hamlets::valid_to,
            ))
            .load::<(String, String, String, NaiveDate, Option<NaiveDate>)>(conn)?
        {
            let valid = valid_from <= as_of && valid_to.is_none_or(|t| as_of <= t);
            if valid {
                counts
                    .entry(code.clone())
                    .or_insert_with(|| (commune.clone(), Counts::default()));
            }
            places.insert(code, (commune, name, valid));
        }
    }
    if caller.role == Role::Volunteer && matches!(caller.scope, Scope::Commune(_)) {
        let mine = queries::hamlets_of_member(conn, &caller.id)?;
        counts.retain(|code, _| mine.contains(code));
    }
    let provinces = queries::provinces_of(conn, &communes)?;
    let mut wanted: Vec<String> = provinces.values().cloned().collect();
    wanted.sort();
    wanted.dedup();
    let defs = queries::definitions(conn, &wanted)?;
    let share_of = |commune: &str| {
        provinces
            .get(commune)
            .and_then(|p| defs.get(p))
            .map_or(Definition::standard(), |d| Definition::from(d.clone()))
            .residential_area_share
    };
    let codes: Vec<String> = counts.keys().cloned().collect();
    let figures = hamlet_figures(conn, &codes, as_of.year())?;
    let mut hamlet_rows: Vec<(String, FigureRow)> = counts
        .into_iter()
        .map(|(code, (commune, c))| {
            let (name, valid) = places
                .get(&code)
                .map_or((code.clone(), false), |(_, n, v)| (n.clone(), *v));
            let area = valid && is_area(&c, share_of(&commune), figures.get(&code).copied());
            let row = FigureRow {
                label: name,
                households: c.households,
                visited: visited.get(&code).copied().unwrap_or(0) as i32,
                reached: reached.get(&code).copied().unwrap_or(0) as i32,
                digital_families: c.digital_families,
                digital_family_share: share(c.digital_families, c.households),
                criteria: Criterion::ALL
                    .iter()
                    .zip(c.criteria)
                    .map(|(k, n)| (*k, n))
                    .collect(),
                digital_residential_area: Some(area),
                digital_residential_areas: None,
                key: code,
            };
            (commune, row)
        })
        .collect();
    let rows = if is_commune {
        hamlet_rows.sort_by(|a, b| a.1.key.cmp(&b.1.key));
        hamlet_rows.into_iter().map(|(_, r)| r).collect()
    } else {
        let national = unit.is_none();
        let mut grouped: BTreeMap<String, FigureRow> = BTreeMap::new();
        for (commune, r) in hamlet_rows {
            let key = if national {
                provinces.get(&commune).cloned().unwrap_or(commune)
            } else {
                commune
            };
            let g = grouped.entry(key.clone()).or_insert_with(|| FigureRow {
                key: key.clone(),
                label: String::new(),
                households: 0,
                visited: 0,
                reached: 0,
                digital_families: 0,
                digital_family_share: None,
                criteria: Criterion::ALL.iter().map(|k| (*k, 0)).collect(),
                digital_residential_area: None,
                digital_residential_areas: Some(0),
            });
            g.households += r.households;
            g.visited += r.visited;
            g.reached += r.reached;
            g.digital_families += r.digital_families;
            for (k, n) in r.criteria {
                *g.criteria.entry(k).or_default() += n;
            }
            if r.digital_residential_area == Some(true) {
                g.digital_residential_areas = g.digital_residential_areas.map(|n| n + 1);
            }
        }
        let keys: Vec<String> = grouped.keys().cloned().collect();
        let names: HashMap<String, String> = units::table
            .filter(units::code.eq_any(&keys))
            .select((units::code, units::name))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
        grouped
            .into_values()
            .map(|mut g| {
                g.label = names.get(&g.key).cloned().unwrap_or_else(|| g.key.clone());
                g.digital_family_share = share(g.digital_families, g.households);
                g
            })
            .collect()
    };
    Ok(Figures {
        unit_code: unit,
        as_of,
        from,
        to,
        by,
        rows,
    })
}

/// The hamlets' `households` population figures of the latest year up to `year`.
fn hamlet_figures(
    conn: &mut DbConn,
    codes: &[String],
    year: i32,
) -> QueryResult<HashMap<String, i64>> {
    let mut out: HashMap<String, (i32, i64)> = HashMap::new();
    for chunk in codes.chunks(5000) {
        for (code, y, n) in unit_population::table
            .filter(unit_population::unit_code.eq_any(chunk))
            .filter(unit_population::year.le(year))
            .select((
                unit_population::unit_code,
                unit_population::year,
                unit_population::households,
            ))
            .load::<(String, i32, i64)>(conn)?
        {
            let e = out.entry(code).or_insert((y, n));
            if y > e.0 {
                *e = (y, n);
            }
        }
    }
    Ok(out.into_iter().map(|(k, (_, n))| (k, n)).collect())
}

/// Open households in the register now, of each unit named (a hamlet, a commune or a
/// province); 0 for a unit with none.
pub fn registered(conn: &mut DbConn, codes: &[String]) -> QueryResult<HashMap<String, i64>> {
    let mut out = HashMap::new();
    for code in codes {
        let q = now::table.select(sum(now::households)).into_boxed();
        let q = if crate::households::service::is_hamlet_code(code) {
            q.filter(now::hamlet_code.eq(code))
        } else {
            match queries::unit_parent(conn, code)? {
                Some(None) => q.filter(
                    now::commune_code.eq_any(
                        units::table
                            .filter(units::parent_code.eq(code))
                            .select(units::code),
                    ),
                ),
                _ => q.filter(now::commune_code.eq(code)),
            }
        };
        let n: Option<i64> = q.first(conn)?;
        out.insert(code.clone(), n.unwrap_or(0));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(households: i32, digital_families: i32) -> Counts {
        Counts {
            households,
            digital_families,
            criteria: [0; 8],
        }
    }

    #[test]
    fn a_digital_residential_area_needs_ten_doors_the_share_and_the_register() {
        assert!(is_area(&counts(10, 8), 80, None));
        assert!(!is_area(&counts(9, 9), 80, None));
        assert!(!is_area(&counts(10, 7), 80, None));
        assert!(is_area(&counts(10, 8), 80, Some(11)));
        assert!(!is_area(&counts(10, 8), 80, Some(12)));
        assert_eq!(share(1, 3), Some(33.3));
        assert_eq!(share(0, 0), None);
    }
}

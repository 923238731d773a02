//! The household metrics beside the record metrics: `households_reached`, the distinct
//! households with a counted `guided` visit in the period (a door visited three times counts
//! once), and `digital_families`, the open households that are digital families at the end
//! of the period (from the register's counts, `households::tally`). Neither comes from the
//! rollups: the first reads the visits naming a household (their own index), the second the
//! per-hamlet counts.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::IntoSql;
use diesel::dsl::{count, sum};
use diesel::prelude::*;

use super::queries::{Filter, UnitFilter};
use crate::db::DbConn;
use crate::schema::{
    household_count_days as days, household_counts as now, households as h, records, team_hamlets,
    units,
};

/// How the household metrics are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// One row, keyed `""`.
    Nothing,
    /// By commune.
    Commune,
    /// By province.
    Province,
    /// By team.
    Team,
    /// By volunteer (who reached them; digital families belong to no volunteer).
    Volunteer,
    /// By the household's hamlet.
    Hamlet,
    /// By local day (`YYYY-MM-DD`; reached only).
    Day,
}

/// The two household metrics of a whole filter, into `m` (a summary, a certified
/// period's figures).
pub fn add_to(conn: &mut DbConn, f: &Filter, m: &mut super::model::Metrics) -> QueryResult<()> {
    m.households_reached = reached(conn, f, Group::Nothing)?
        .get("")
        .copied()
        .unwrap_or(0);
    m.digital_families = digital_families(conn, f, Group::Nothing, f.to)?
        .get("")
        .copied()
        .unwrap_or(0);
    Ok(())
}

/// The communes a filter covers.
pub fn communes(conn: &mut DbConn, unit: &UnitFilter) -> QueryResult<Vec<String>> {
    match unit {
        UnitFilter::Commune(c) => Ok(vec![c.clone()]),
        UnitFilter::Province(p) => units::table
            .filter(units::parent_code.eq(p))
            .select(units::code)
            .load(conn),
        UnitFilter::National => units::table
            .filter(units::parent_code.is_not_null())
            .select(units::code)
            .load(conn),
    }
}

/// Distinct households reached in the filter's period, per group.
pub fn reached(conn: &mut DbConn, f: &Filter, group: Group) -> QueryResult<HashMap<String, i64>> {
    let communes = communes(conn, &f.unit)?;
    let mut out: HashMap<String, i64> = HashMap::new();
    for chunk in communes.chunks(5000) {
        // As the rollups count: never a rejected record; only approved ones when asked.
        let statuses: Vec<&str> = if f.approved_only {
            vec!["approved"]
        } else {
            vec!["pending", "approved", "flagged"]
        };
        let limited = f.teams.is_some();
        let teams = f.teams.clone().unwrap_or_default();
        let base = || {
            records::table
                .inner_join(h::table.on(records::household_id.eq(h::id.nullable())))
                .filter(records::household_id.is_not_null())
                .filter(records::commune_code.eq_any(chunk))
                .filter(records::occurred_on.between(f.from, f.to))
                // Only visits name a household; saying `kind` too would lead SQLite's
                // planner to the index by kind instead of the partial one.
                .filter(records::outcome.eq("guided"))
                .filter(records::voided.eq(false))
                .filter(records::review_status.eq_any(statuses.clone()))
                .filter(
                    (!limited)
                        .into_sql::<diesel::sql_types::Bool>()
                        .or(records::team_id.eq_any(teams.clone())),
                )
        };
        let distinct = || count(records::household_id).aggregate_distinct();
        let rows: Vec<(String, i64)> = match group {
            Group::Nothing => base()
                .select(distinct())
                .first::<i64>(conn)
                .map(|n| vec![(String::new(), n)])?,
            Group::Commune | Group::Province => base()
                .group_by(records::commune_code)
                .select((records::commune_code, distinct()))
                .load(conn)?,
            Group::Team => base()
                .group_by(records::team_id)
                .select((records::team_id, distinct()))
                .load(conn)?,
            Group::Volunteer => base()
                .group_by(records::volunteer_id)
                .select((records::volunteer_id, distinct()))
                .load(conn)?,
            Group::Hamlet => base()
                .group_by(h::hamlet_code)
                .select((h::hamlet_code, distinct()))
                .load(conn)?,
            Group::Day => base()
                .group_by(records::occurred_on)
                .select((records::occurred_on, distinct()))
                .load::<(NaiveDate, i64)>(conn)?
                .into_iter()
                .map(|(d, n)| (d.to_string(), n))
                .collect(),
        };
        for (k, n) in rows {
            *out.entry(k).or_default() += n;
        }
    }
    if group == Group::Province {
        out = by_province(conn, out)?;
    }
    Ok(out)
}

fn by_province(
    conn: &mut DbConn,
    per_commune: HashMap<String, i64>,
) -> QueryResult<HashMap<String, i64>> {
    let codes: Vec<String> = per_commune.keys().cloned().collect();
    let parents: HashMap<String, String> = units::table
        .filter(units::code.eq_any(&codes))
        .select((units::code, units::parent_code))
        .load::<(String, Option<String>)>(conn)?
        .into_iter()
        .filter_map(|(c, p)| p.map(|p| (c, p)))
        .collect();
    let mut out = HashMap::new();
    for (commune, n) in per_commune {
        if let Some(p) = parents.get(&commune) {
            *out.entry(p.clone()).or_default() += n;
        }
    }
    Ok(out)
}

/// Digital families at the end of `as_of`, per group (volunteers have none).
pub fn digital_families(
    conn: &mut DbConn,
    f: &Filter,
    group: Group,
    as_of: NaiveDate,
) -> QueryResult<HashMap<String, i64>> {
    if matches!(group, Group::Volunteer | Group::Day) {
        return Ok(HashMap::new());
    }
    let communes = communes(conn, &f.unit)?;
    let counts = crate::households::figures::hamlet_counts(conn, &communes, as_of)?;
    let held: Option<Vec<(String, String)>> = match (&f.teams, group) {
        (Some(teams), _) => Some(
            team_hamlets::table
                .filter(team_hamlets::team_id.eq_any(teams))
                .select((team_hamlets::team_id, team_hamlets::hamlet_code))
                .load(conn)?,
        ),
        (None, Group::Team) => Some(
            team_hamlets::table
                .select((team_hamlets::team_id, team_hamlets::hamlet_code))
                .load(conn)?,
        ),
        _ => None,
    };
    let mut out: HashMap<String, i64> = HashMap::new();
    match (group, &held) {
        (Group::Team, Some(pairs)) => {
            for (team, hamlet) in pairs {
                if let Some((_, c)) = counts.get(hamlet) {
                    *out.entry(team.clone()).or_default() += i64::from(c.digital_families);
                }
            }
        }
        _ => {
            let allowed: Option<Vec<&String>> =
                held.as_ref().map(|p| p.iter().map(|(_, h)| h).collect());
            for (hamlet, (commune, c)) in &counts {
                if allowed.as_ref().is_some_and(|a| !a.contains(&hamlet)) {
                    continue;
                }
                let key = match group {
                    Group::Hamlet => hamlet.clone(),
                    Group::Commune | Group::Province => commune.clone(),
                    _ => String::new(),
                };
                *out.entry(key).or_default() += i64::from(c.digital_families);
            }
        }
    }
    if group == Group::Province {
        out = by_province(conn, out)?;
    }
    Ok(out)
}

/// Digital families of the filter's communes at the end of each of `ends` (days, weeks or
/// months): today's count less the changes after each end, from two queries.
pub fn digital_families_at(
    conn: &mut DbConn,
    f: &Filter,
    ends: &[NaiveDate],
) -> QueryResult<Vec<i64>> {
    let Some(first) = ends.iter().min().copied() else {
        return Ok(Vec::new());
    };
    if f.teams.is_some() {
        return ends
            .iter()
            .map(|e| {
                digital_families(conn, f, Group::Nothing, *e)
                    .map(|m| m.get("").copied().unwrap_or(0))
            })
            .collect();
    }
    let communes = communes(conn, &f.unit)?;
    let mut total = 0;
    let mut changes: Vec<(NaiveDate, i64)> = Vec::new();
    for chunk in communes.chunks(5000) {
        total += now::table
            .filter(now::commune_code.eq_any(chunk))
            .select(sum(now::digital_families))
            .first::<Option<i64>>(conn)?
            .unwrap_or(0);
        changes.extend(
            days::table
                .filter(days::commune_code.eq_any(chunk))
                .filter(days::day.gt(first))
                .group_by(days::day)
                .select((days::day, sum(days::digital_families)))
                .load::<(NaiveDate, Option<i64>)>(conn)?
                .into_iter()
                .map(|(d, n)| (d, n.unwrap_or(0))),
        );
    }
    Ok(ends
        .iter()
        .map(|end| {
            total
                - changes
                    .iter()
                    .filter(|(d, _)| d > end)
                    .map(|(_, n)| n)
                    .sum::<i64>()
        })
        .collect())
}

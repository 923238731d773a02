//! Reads of the rollups: sums per metric and distinct volunteers and citizens, for a set
//! of communes or teams over a range of local days, optionally grouped.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::dsl::sum;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{citizen_rollups, daily_rollups, units};

/// Which rollup rows a statistic reads.
#[derive(Debug, Clone)]
pub struct Filter {
    /// Only these communes (`None`: the whole country).
    pub unit: UnitFilter,
    /// Only these teams (a volunteer reads their teams' numbers only).
    pub teams: Option<Vec<String>>,
    /// First local day.
    pub from: NaiveDate,
    /// Last local day, inclusive.
    pub to: NaiveDate,
    /// Count approved records only.
    pub approved_only: bool,
}

/// The unit part of a filter.
#[derive(Debug, Clone)]
pub enum UnitFilter {
    /// Everything.
    National,
    /// The communes of a province.
    Province(String),
    /// One commune.
    Commune(String),
}

/// The column rollup rows are grouped by before buckets are formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// No grouping: one row.
    Nothing,
    /// By commune.
    Commune,
    /// By team.
    Team,
    /// By volunteer.
    Volunteer,
    /// By local day.
    Day,
}

/// Raw numbers per group key: sums per metric, and the sets behind the distinct metrics.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    /// Sum per metric.
    pub sums: HashMap<String, i64>,
    /// Volunteers with a counted record.
    pub volunteers: HashSet<String>,
    /// Citizens with a successful assist.
    pub citizens: HashSet<String>,
}

macro_rules! filtered {
    ($base:expr, $table:ident, $filter:expr) => {{
        let f = $filter;
        let mut q = $base
            .filter($table::day.ge(f.from))
            .filter($table::day.le(f.to))
            .into_boxed();
        q = match &f.unit {
            UnitFilter::National => q,
            UnitFilter::Province(p) => q.filter(
                $table::commune_code.eq_any(
                    units::table
                        .select(units::code)
                        .filter(units::parent_code.eq(p.clone())),
                ),
            ),
            UnitFilter::Commune(c) => q.filter($table::commune_code.eq(c.clone())),
        };
        if let Some(teams) = &f.teams {
            q = q.filter($table::team_id.eq_any(teams.clone()));
        }
        q = if f.approved_only {
            q.filter($table::approved.gt(0))
        } else {
            q.filter($table::counted.gt(0))
        };
        q
    }};
}

macro_rules! tally_by {
    ($conn:expr, $filter:expr, $dcol:expr, $ccol:expr, $key:ty, $to_key:expr) => {{
        let conn = $conn;
        let f = $filter;
        let to_key = $to_key;
        let mut out: HashMap<String, Tally> = HashMap::new();
        let sums: Vec<($key, String, Option<i64>, Option<i64>)> = filtered!(
            daily_rollups::table
                .group_by(($dcol, daily_rollups::metric))
                .select((
                    $dcol,
                    daily_rollups::metric,
                    sum(daily_rollups::counted),
                    sum(daily_rollups::approved)
                )),
            daily_rollups,
            f
        )
        .load(conn)?;
        for (k, metric, counted, approved) in sums {
            let n = if f.approved_only { approved } else { counted }.unwrap_or(0);
            *out.entry(to_key(k))
                .or_default()
                .sums
                .entry(metric)
                .or_default() += n;
        }
        let volunteers: Vec<($key, String)> = filtered!(
            daily_rollups::table
                .select(($dcol, daily_rollups::volunteer_id))
                .distinct(),
            daily_rollups,
            f
        )
        .filter(daily_rollups::metric.eq(super::rollups::RECORDS))
        .load(conn)?;
        for (k, v) in volunteers {
            out.entry(to_key(k)).or_default().volunteers.insert(v);
        }
        let citizens: Vec<($key, String)> = filtered!(
            citizen_rollups::table
                .select(($ccol, citizen_rollups::citizen_ref))
                .distinct(),
            citizen_rollups,
            f
        )
        .load(conn)?;
        for (k, c) in citizens {
            out.entry(to_key(k)).or_default().citizens.insert(c);
        }
        out
    }};
}

/// Tallies per group key (`""` when not grouped; a day as `YYYY-MM-DD`).
pub fn tally(
    conn: &mut DbConn,
    filter: &Filter,
    by: GroupBy,
) -> QueryResult<HashMap<String, Tally>> {
    Ok(match by {
        GroupBy::Nothing => tally_by!(
            conn,
            filter,
            daily_rollups::day,
            citizen_rollups::day,
            NaiveDate,
            |_: NaiveDate| String::new()
        ),
        GroupBy::Day => tally_by!(
            conn,
            filter,
            daily_rollups::day,
            citizen_rollups::day,
            NaiveDate,
            |d: NaiveDate| d.to_string()
        ),
        GroupBy::Commune => tally_by!(
            conn,
            filter,
            daily_rollups::commune_code,
            citizen_rollups::commune_code,
            String,
            |c: String| c
        ),
        GroupBy::Team => tally_by!(
            conn,
            filter,
            daily_rollups::team_id,
            citizen_rollups::team_id,
            String,
            |t: String| t
        ),
        GroupBy::Volunteer => tally_by!(
            conn,
            filter,
            daily_rollups::volunteer_id,
            citizen_rollups::volunteer_id,
            String,
            |v: String| v
        ),
    })
}

//! Reads of the rollups: sums per metric, distinct volunteers and distinct citizens for a
//! set of communes or teams over a range of local days, optionally grouped. Every number
//! is computed by the database (sums, and distinct people from [`spans`] or, for teams,
//! `COUNT(DISTINCT …)`), so an answer moves a few rows per group, not the citizens or
//! volunteers behind it.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::dsl::{count, sum};
use diesel::prelude::*;

use super::rollups::METRICS;
use super::spans;
use crate::db::DbConn;
use crate::schema::{citizen_rollups, commune_rollups, daily_rollups, units};

/// Which rollup rows a statistic reads.
#[derive(Debug, Clone)]
pub struct Filter {
    /// Only these communes (`National`: the whole country).
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

/// How rollup rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// No grouping: one row, keyed `""`.
    Nothing,
    /// By commune.
    Commune,
    /// By team.
    Team,
    /// By volunteer.
    Volunteer,
    /// By local day (`YYYY-MM-DD`).
    Day,
}

/// Numbers of one group: sums per [`METRICS`] entry and the two distinct counts.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Sum per [`METRICS`] entry.
    pub sums: [i64; METRICS.len()],
    /// Distinct volunteers with a counted record.
    pub volunteers: i64,
    /// Distinct citizens with a counted successful assist.
    pub citizens: i64,
}

impl Tally {
    /// One summed metric by name (0 for a name that is not summed).
    pub fn sum(&self, metric: &str) -> i64 {
        METRICS
            .iter()
            .position(|m| *m == metric)
            .map_or(0, |i| self.sums[i])
    }
}

type Sums = (
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
    Option<i64>,
);

fn sums_array(s: Sums) -> [i64; METRICS.len()] {
    [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7, s.8, s.9, s.10].map(|v| v.unwrap_or(0))
}

/// The eleven sums of a wide rollup table, over counted or approved records.
macro_rules! sums_of {
    ($t:ident, counted) => {
        (
            sum($t::records),
            sum($t::visits),
            sum($t::households_guided),
            sum($t::people_guided),
            sum($t::vneid_installs),
            sum($t::vneid_level2_activations),
            sum($t::signatures_submitted),
            sum($t::signatures_issued),
            sum($t::digital_skills_certified),
            sum($t::training_sessions),
            sum($t::training_attendees),
        )
    };
    ($t:ident, approved) => {
        (
            sum($t::records_approved),
            sum($t::visits_approved),
            sum($t::households_guided_approved),
            sum($t::people_guided_approved),
            sum($t::vneid_installs_approved),
            sum($t::vneid_level2_activations_approved),
            sum($t::signatures_submitted_approved),
            sum($t::signatures_issued_approved),
            sum($t::digital_skills_certified_approved),
            sum($t::training_sessions_approved),
            sum($t::training_attendees_approved),
        )
    };
}

/// Rows of `$t` in the filter's period and communes (and teams, for tables that have them).
macro_rules! narrowed {
    ($q:expr, $t:ident, $f:expr, $communes:expr) => {{
        let mut q = $q
            .filter($t::day.ge($f.from))
            .filter($t::day.le($f.to))
            .into_boxed();
        if let Some(list) = $communes {
            q = q.filter($t::commune_code.eq_any(list.clone()));
        }
        q
    }};
    ($q:expr, $t:ident, $f:expr, $communes:expr, teams) => {{
        let mut q = narrowed!($q, $t, $f, $communes);
        if let Some(teams) = &$f.teams {
            q = q.filter($t::team_id.eq_any(teams.clone()));
        }
        q
    }};
}

/// Sums per key from a wide table.
macro_rules! grouped_sums {
    ($conn:expr, $t:ident, $key:expr, $f:expr, $communes:expr $(, $teams:ident)?) => {{
        let rows: Vec<(_, Sums)> = if $f.approved_only {
            narrowed!(
                $t::table.group_by($key).select(($key, sums_of!($t, approved))),
                $t, $f, $communes $(, $teams)?
            )
            .load($conn)?
        } else {
            narrowed!(
                $t::table.group_by($key).select(($key, sums_of!($t, counted))),
                $t, $f, $communes $(, $teams)?
            )
            .load($conn)?
        };
        rows
    }};
}

/// Distinct volunteers per key (a volunteer counts when a record of theirs counts).
macro_rules! grouped_volunteers {
    ($conn:expr, $key:expr, $f:expr, $communes:expr) => {{
        let q = narrowed!(
            daily_rollups::table.group_by($key).select((
                $key,
                count(daily_rollups::volunteer_id).aggregate_distinct()
            )),
            daily_rollups,
            $f,
            $communes,
            teams
        );
        let q = if $f.approved_only {
            q.filter(daily_rollups::records_approved.gt(0))
        } else {
            q.filter(daily_rollups::records.gt(0))
        };
        let rows: Vec<(_, i64)> = q.load($conn)?;
        rows
    }};
}

/// Distinct citizens per key.
macro_rules! grouped_citizens {
    ($conn:expr, $key:expr, $f:expr, $communes:expr) => {{
        let q = narrowed!(
            citizen_rollups::table.group_by($key).select((
                $key,
                count(citizen_rollups::citizen_id).aggregate_distinct()
            )),
            citizen_rollups,
            $f,
            $communes,
            teams
        );
        let q = if $f.approved_only {
            q.filter(citizen_rollups::approved.gt(0))
        } else {
            q.filter(citizen_rollups::counted.gt(0))
        };
        let rows: Vec<(_, i64)> = q.load($conn)?;
        rows
    }};
}

/// Distinct people per group key.
type Counted = Vec<(String, i64)>;

/// Distinct volunteers and citizens from `distinct_spans`, for filters without teams (the
/// spans are kept per unit, not per team): per unit of `units`, or per day.
fn from_spans(
    conn: &mut DbConn,
    f: &Filter,
    units: &spans::Units,
    per: spans::Per,
) -> QueryResult<(Counted, Counted)> {
    let volunteers = spans::distinct(
        conn,
        spans::VOLUNTEERS,
        units,
        f.from,
        f.to,
        f.approved_only,
        per,
    )?;
    let citizens = spans::distinct(
        conn,
        spans::CITIZENS,
        units,
        f.from,
        f.to,
        f.approved_only,
        per,
    )?;
    Ok((volunteers, citizens))
}

/// The one unit whose spans answer a filter's totals: the province, the commune, or `""`
/// for the country.
fn whole(f: &Filter) -> spans::Units {
    spans::Units::These(vec![match &f.unit {
        UnitFilter::National => String::new(),
        UnitFilter::Province(p) | UnitFilter::Commune(p) => p.clone(),
    }])
}

/// Tallies per group key.
pub fn tally(
    conn: &mut DbConn,
    filter: &Filter,
    by: GroupBy,
) -> QueryResult<HashMap<String, Tally>> {
    let communes: Option<Vec<String>> = match &filter.unit {
        UnitFilter::National => None,
        UnitFilter::Province(p) => Some(
            units::table
                .filter(units::parent_code.eq(p))
                .select(units::code)
                .load(conn)?,
        ),
        UnitFilter::Commune(c) => Some(vec![c.clone()]),
    };
    let communes = communes.as_ref();
    let mut out: HashMap<String, Tally> = HashMap::new();
    if by == GroupBy::Nothing {
        let tally = total(conn, filter, communes)?;
        if tally != Tally::default() {
            out.insert(String::new(), tally);
        }
        return Ok(out);
    }
    let by_commune_table = filter.teams.is_none();
    macro_rules! fill {
        ($sums:expr, $volunteers:expr, $citizens:expr, $to_key:expr) => {{
            for (k, s) in $sums {
                out.entry($to_key(k)).or_default().sums = sums_array(s);
            }
            let volunteers: Vec<(String, i64)> = $volunteers;
            for (k, n) in volunteers {
                out.entry(k).or_default().volunteers = n;
            }
            let citizens: Vec<(String, i64)> = $citizens;
            for (k, n) in citizens {
                out.entry(k).or_default().citizens = n;
            }
        }};
    }
    // Groupings below the commune read the volunteer-level tables only.
    macro_rules! per_person {
        ($column:ident) => {
            fill!(
                grouped_sums!(
                    conn,
                    daily_rollups,
                    daily_rollups::$column,
                    filter,
                    communes,
                    teams
                ),
                grouped_volunteers!(conn, daily_rollups::$column, filter, communes),
                grouped_citizens!(conn, citizen_rollups::$column, filter, communes),
                |key: String| key
            )
        };
    }
    let day_key = |d: NaiveDate| d.to_string();
    let same = |s: String| s;
    let people = match (by, by_commune_table) {
        (GroupBy::Commune, true) => {
            let units = match communes {
                Some(list) => spans::Units::These(list.clone()),
                None => spans::Units::Communes,
            };
            from_spans(conn, filter, &units, spans::Per::Unit)?
        }
        (GroupBy::Commune, false) => (
            grouped_volunteers!(conn, daily_rollups::commune_code, filter, communes),
            grouped_citizens!(conn, citizen_rollups::commune_code, filter, communes),
        ),
        (GroupBy::Day, true) => from_spans(conn, filter, &whole(filter), spans::Per::Day)?,
        (GroupBy::Day, false) => (
            grouped_volunteers!(conn, daily_rollups::day, filter, communes)
                .into_iter()
                .map(|(d, n)| (day_key(d), n))
                .collect(),
            grouped_citizens!(conn, citizen_rollups::day, filter, communes)
                .into_iter()
                .map(|(d, n)| (day_key(d), n))
                .collect(),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    match by {
        GroupBy::Nothing => {}
        GroupBy::Commune => fill!(
            if by_commune_table {
                grouped_sums!(
                    conn,
                    commune_rollups,
                    commune_rollups::commune_code,
                    filter,
                    communes
                )
            } else {
                grouped_sums!(
                    conn,
                    daily_rollups,
                    daily_rollups::commune_code,
                    filter,
                    communes,
                    teams
                )
            },
            people.0,
            people.1,
            same
        ),
        GroupBy::Day => fill!(
            if by_commune_table {
                grouped_sums!(
                    conn,
                    commune_rollups,
                    commune_rollups::day,
                    filter,
                    communes
                )
            } else {
                grouped_sums!(
                    conn,
                    daily_rollups,
                    daily_rollups::day,
                    filter,
                    communes,
                    teams
                )
            },
            people.0,
            people.1,
            day_key
        ),
        GroupBy::Team => per_person!(team_id),
        GroupBy::Volunteer => per_person!(volunteer_id),
    }
    out.retain(|_, t| *t != Tally::default());
    Ok(out)
}

/// One tally over the whole filter. Without teams, distinct people come from the spans of
/// the one unit filtered on; with teams, from the rollup rows of those teams.
fn total(conn: &mut DbConn, filter: &Filter, communes: Option<&Vec<String>>) -> QueryResult<Tally> {
    let f = filter;
    let sums: Sums = if f.teams.is_none() {
        if f.approved_only {
            narrowed!(
                commune_rollups::table.select(sums_of!(commune_rollups, approved)),
                commune_rollups,
                f,
                communes
            )
            .first(conn)?
        } else {
            narrowed!(
                commune_rollups::table.select(sums_of!(commune_rollups, counted)),
                commune_rollups,
                f,
                communes
            )
            .first(conn)?
        }
    } else if f.approved_only {
        narrowed!(
            daily_rollups::table.select(sums_of!(daily_rollups, approved)),
            daily_rollups,
            f,
            communes,
            teams
        )
        .first(conn)?
    } else {
        narrowed!(
            daily_rollups::table.select(sums_of!(daily_rollups, counted)),
            daily_rollups,
            f,
            communes,
            teams
        )
        .first(conn)?
    };
    let (volunteers, citizens) = if f.teams.is_none() {
        let (v, c) = from_spans(conn, f, &whole(f), spans::Per::Unit)?;
        (v.first().map_or(0, |v| v.1), c.first().map_or(0, |c| c.1))
    } else {
        let q = narrowed!(
            daily_rollups::table.select(count(daily_rollups::volunteer_id).aggregate_distinct()),
            daily_rollups,
            f,
            communes,
            teams
        );
        let volunteers: i64 = if f.approved_only {
            q.filter(daily_rollups::records_approved.gt(0))
        } else {
            q.filter(daily_rollups::records.gt(0))
        }
        .first(conn)?;
        let q = narrowed!(
            citizen_rollups::table.select(count(citizen_rollups::citizen_id).aggregate_distinct()),
            citizen_rollups,
            f,
            communes,
            teams
        );
        let citizens: i64 = if f.approved_only {
            q.filter(citizen_rollups::approved.gt(0))
        } else {
            q.filter(citizen_rollups::counted.gt(0))
        }
        .first(conn)?;
        (volunteers, citizens)
    };
    Ok(Tally {
        sums: sums_array(sums),
        volunteers,
        citizens,
    })
}

/// Tallies of one commune per hamlet, each hamlet code as sent (`""` for none) placed in
/// the row `place` names: the same rollup rows as the commune's totals, so the rows add
/// up to them. Distinct volunteers and citizens are counted per row (a volunteer who
/// worked in two hamlets counts in both).
pub fn by_hamlet(
    conn: &mut DbConn,
    filter: &Filter,
    commune: &str,
    place: &dyn Fn(&str) -> String,
) -> QueryResult<HashMap<String, Tally>> {
    let communes = Some(vec![commune.to_owned()]);
    let communes = communes.as_ref();
    let mut out: HashMap<String, Tally> = HashMap::new();
    let sums: Vec<(String, Sums)> = grouped_sums!(
        conn,
        daily_rollups,
        daily_rollups::hamlet_code,
        filter,
        communes,
        teams
    );
    for (code, s) in sums {
        let row = out.entry(place(&code)).or_default();
        for (total, n) in row.sums.iter_mut().zip(sums_array(s)) {
            *total += n;
        }
    }
    let q = narrowed!(
        daily_rollups::table
            .select((daily_rollups::hamlet_code, daily_rollups::volunteer_id))
            .distinct(),
        daily_rollups,
        filter,
        communes,
        teams
    );
    let volunteers: Vec<(String, String)> = if filter.approved_only {
        q.filter(daily_rollups::records_approved.gt(0)).load(conn)?
    } else {
        q.filter(daily_rollups::records.gt(0)).load(conn)?
    };
    let q = narrowed!(
        citizen_rollups::table
            .select((citizen_rollups::hamlet_code, citizen_rollups::citizen_id))
            .distinct(),
        citizen_rollups,
        filter,
        communes,
        teams
    );
    let citizens: Vec<(String, i64)> = if filter.approved_only {
        q.filter(citizen_rollups::approved.gt(0)).load(conn)?
    } else {
        q.filter(citizen_rollups::counted.gt(0)).load(conn)?
    };
    type People = (HashSet<String>, HashSet<i64>);
    let mut people: HashMap<String, People> = HashMap::new();
    for (code, volunteer) in volunteers {
        people.entry(place(&code)).or_default().0.insert(volunteer);
    }
    for (code, citizen) in citizens {
        people.entry(place(&code)).or_default().1.insert(citizen);
    }
    for (key, (v, c)) in people {
        let row = out.entry(key).or_default();
        row.volunteers = v.len() as i64;
        row.citizens = c.len() as i64;
    }
    out.retain(|_, t| *t != Tally::default());
    Ok(out)
}

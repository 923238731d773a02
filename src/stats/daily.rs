//! One local day's figures for every commune of a unit, zeros included: the `data` of the
//! `stats.daily` webhook event. A commune with nothing that day is listed with zeros, so a
//! dashboard that stores the day overwrites a stale figure instead of keeping it.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use super::model::Metrics;
use super::queries::{Filter, GroupBy, UnitFilter, tally};
use crate::db::DbConn;
use crate::schema::units;

/// One commune's figures for the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommuneDay {
    /// Commune code.
    pub commune_code: String,
    /// Commune name.
    pub name: String,
    /// Every metric, counted when the event is written.
    pub metrics: Metrics,
}

/// Every commune of `unit_code` (itself, for a commune) with its figures for `day`,
/// sorted by code; empty for an unknown unit.
pub fn communes_on(
    conn: &mut DbConn,
    unit_code: &str,
    day: NaiveDate,
) -> QueryResult<Vec<CommuneDay>> {
    let Some(unit) = crate::units::queries::find(conn, unit_code)? else {
        return Ok(Vec::new());
    };
    let (filter, communes) = if unit.kind.is_province() {
        let children: Vec<(String, String)> = units::table
            .filter(units::parent_code.eq(unit_code))
            .select((units::code, units::name))
            .order(units::code.asc())
            .load(conn)?;
        (UnitFilter::Province(unit.code), children)
    } else {
        (
            UnitFilter::Commune(unit.code.clone()),
            vec![(unit.code, unit.name)],
        )
    };
    let filter = Filter {
        unit: filter,
        teams: None,
        from: day,
        to: day,
        approved_only: false,
    };
    let tallies = tally(conn, &filter, GroupBy::Commune)?;
    use super::households::{Group, digital_families, reached};
    let reached = reached(conn, &filter, Group::Commune)?;
    let families = digital_families(conn, &filter, Group::Commune, day)?;
    Ok(communes
        .into_iter()
        .map(|(commune_code, name)| {
            let mut metrics = tallies
                .get(&commune_code)
                .map(Metrics::from)
                .unwrap_or_default();
            metrics.households_reached = reached.get(&commune_code).copied().unwrap_or(0);
            metrics.digital_families = families.get(&commune_code).copied().unwrap_or(0);
            CommuneDay {
                metrics,
                commune_code,
                name,
            }
        })
        .collect())
}

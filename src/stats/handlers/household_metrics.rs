//! Fills `households_reached` and `digital_families` into a summary's or a breakdown's
//! rows (`stats::households` counts them; the rollups do not).

use diesel::QueryResult;

use super::{BreakdownRow, By, periods};
use crate::db::DbConn;
use crate::stats::households::{self, Group};
use crate::stats::queries::{Filter, UnitFilter};

/// The two household metrics of each breakdown row, by its key.
pub fn fill(conn: &mut DbConn, by: By, f: &Filter, rows: &mut [BreakdownRow]) -> QueryResult<()> {
    let group = match by {
        By::Unit if matches!(f.unit, UnitFilter::National) => Group::Province,
        By::Unit => Group::Commune,
        By::Team => Group::Team,
        By::Volunteer => Group::Volunteer,
        By::Hamlet => Group::Hamlet,
        By::Day => Group::Day,
        By::Week | By::Month => {
            let spans = periods(by, f.from, f.to);
            let ends: Vec<_> = spans.iter().map(|(_, _, end)| *end).collect();
            let families = households::digital_families_at(conn, f, &ends)?;
            for ((key, from, to), df) in spans.into_iter().zip(families) {
                let one = Filter {
                    from,
                    to,
                    ..f.clone()
                };
                let reached = households::reached(conn, &one, Group::Nothing)?;
                if let Some(row) = rows.iter_mut().find(|r| r.key.as_deref() == Some(&key)) {
                    row.metrics.households_reached = reached.get("").copied().unwrap_or(0);
                    row.metrics.digital_families = df;
                }
            }
            return Ok(());
        }
    };
    let reached = households::reached(conn, f, group)?;
    for row in rows.iter_mut() {
        if let Some(k) = &row.key {
            row.metrics.households_reached = reached.get(k).copied().unwrap_or(0);
        }
    }
    if by == By::Day {
        let ends: Vec<_> = rows
            .iter()
            .filter_map(|r| r.key.as_deref()?.parse().ok())
            .collect();
        let families = households::digital_families_at(conn, f, &ends)?;
        let mut at = ends.into_iter().zip(families);
        for row in rows.iter_mut() {
            let is_day = row
                .key
                .as_deref()
                .and_then(|k| k.parse::<chrono::NaiveDate>().ok())
                .is_some();
            if is_day && let Some((_, df)) = at.next() {
                row.metrics.digital_families = df;
            }
        }
        return Ok(());
    }
    let families = households::digital_families(conn, f, group, f.to)?;
    for row in rows.iter_mut() {
        if let Some(k) = &row.key {
            row.metrics.digital_families = families.get(k).copied().unwrap_or(0);
        }
    }
    Ok(())
}

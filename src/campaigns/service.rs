//! A campaign as shown: its row, its targets, and the counts of its percentage targets from
//! the current population figures of their units.

use super::model::{Campaign, CampaignRow};
use super::queries;
use crate::db::DbConn;

/// The campaign of `row` with its targets, percentage targets counted from the figures
/// their units go by now.
pub fn with_targets(conn: &mut DbConn, row: CampaignRow) -> diesel::QueryResult<Campaign> {
    let targets = queries::targets(conn, &row.id)?;
    let mut units: Vec<&str> = targets
        .iter()
        .filter(|t| t.percent.is_some())
        .map(|t| t.unit_code.as_str())
        .collect();
    units.sort_unstable();
    units.dedup();
    let figures = if units.is_empty() {
        Default::default()
    } else {
        crate::population::service::effective_many(conn, &units)?
    };
    Ok(Campaign::new(row, targets, &figures))
}

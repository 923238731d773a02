//! Every query on `campaigns` and `campaign_targets`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{CampaignRow, TargetRow};
use crate::access::Scope;
use crate::db::{DbConn, dialect};
use crate::schema::{campaign_targets, campaigns, units};

/// Stores a new campaign.
pub fn insert(conn: &mut DbConn, row: &CampaignRow) -> QueryResult<()> {
    diesel::insert_into(campaigns::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// One campaign by id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<CampaignRow>> {
    campaigns::table
        .find(id)
        .select(CampaignRow::as_select())
        .first(conn)
        .optional()
}

/// Targets of a campaign, by unit then metric.
pub fn targets(conn: &mut DbConn, campaign_id: &str) -> QueryResult<Vec<TargetRow>> {
    campaign_targets::table
        .filter(campaign_targets::campaign_id.eq(campaign_id))
        .select(TargetRow::as_select())
        .order((
            campaign_targets::unit_code.asc(),
            campaign_targets::metric.asc(),
        ))
        .load(conn)
}

/// Replaces a campaign's targets.
pub fn replace_targets(
    conn: &mut DbConn,
    campaign_id: &str,
    rows: &[TargetRow],
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(campaigns::table.find(campaign_id))
        .set(campaigns::updated_at.eq(at))
        .execute(conn)?;
    diesel::delete(campaign_targets::table.filter(campaign_targets::campaign_id.eq(campaign_id)))
        .execute(conn)?;
    for chunk in rows.chunks(1000) {
        dialect::execute(
            conn,
            diesel::insert_into(campaign_targets::table).values(chunk),
        )?;
    }
    Ok(())
}

/// Campaigns visible to a caller at `unit_code` with `scope`: those of a unit in the scope,
/// and those whose unit contains the caller's unit (a province campaign for its communes).
/// Newest first after the keyset; optionally only the unit `unit` and what lies under it,
/// and only those open on `open_on`.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    caller_unit: Option<&str>,
    unit: Option<&str>,
    open_on: Option<NaiveDate>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<CampaignRow>> {
    let mut query = campaigns::table
        .select(CampaignRow::as_select())
        .into_boxed();
    let communes_of = |p: String| {
        units::table
            .select(units::code)
            .filter(units::parent_code.eq(p))
    };
    let parents_of = |c: String| {
        units::table
            .select(units::parent_code.assume_not_null())
            .filter(units::code.eq(c))
    };
    match (scope, caller_unit) {
        (Scope::National, _) | (_, None) => {}
        (Scope::Province(p), _) => {
            query = query.filter(
                campaigns::unit_code
                    .eq(p.clone())
                    .or(campaigns::unit_code.eq_any(communes_of(p.clone()))),
            )
        }
        (Scope::Commune(c), _) => {
            query = query.filter(
                campaigns::unit_code
                    .eq(c.clone())
                    .or(campaigns::unit_code.eq_any(parents_of(c.clone()))),
            )
        }
    }
    if let Some(unit) = unit {
        query = query.filter(
            campaigns::unit_code
                .eq(unit.to_owned())
                .or(campaigns::unit_code.eq_any(communes_of(unit.to_owned()))),
        );
    }
    if let Some(day) = open_on {
        query = query
            .filter(campaigns::starts_on.le(day))
            .filter(campaigns::ends_on.ge(day));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            campaigns::created_at
                .lt(at)
                .or(campaigns::created_at.eq(at).and(campaigns::id.lt(id))),
        );
    }
    query
        .order((campaigns::created_at.desc(), campaigns::id.desc()))
        .limit(limit)
        .load(conn)
}

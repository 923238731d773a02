//! Household statements. The register reads the map and the teams' tables itself (never
//! their modules), so that the map's rearrangements and the teams' hamlet changes can move
//! households in the same transaction without the domains importing each other.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{DefinitionRow, HouseholdRow, VersionRow};
use crate::db::{DbConn, dialect};
use crate::schema::{
    digital_family_definitions as defs, hamlet_lineage, hamlets, household_exits as exits,
    household_versions as versions, households as h, records, team_hamlets, team_members, teams,
    units,
};

diesel::infix_operator!(BitAnd, " & ", diesel::sql_types::Integer);

type Mask = diesel::dsl::AsExprOf<i32, diesel::sql_types::Integer>;

/// `criteria_true & mask = mask`: every criterion of `mask` is true.
fn has_all(mask: i32) -> diesel::dsl::Eq<BitAnd<h::criteria_true, Mask>, Mask> {
    use diesel::IntoSql;
    BitAnd::new(
        h::criteria_true,
        mask.into_sql::<diesel::sql_types::Integer>(),
    )
    .eq(mask.into_sql::<diesel::sql_types::Integer>())
}

/// One household by id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<HouseholdRow>> {
    h::table
        .find(id)
        .select(HouseholdRow::as_select())
        .first(conn)
        .optional()
}

/// Stores a new household unless its id or its label (among the hamlet's open households)
/// is taken; `false` when nothing was stored.
pub fn insert(conn: &mut DbConn, row: &HouseholdRow) -> QueryResult<bool> {
    let n = dialect::execute(
        conn,
        diesel::insert_into(h::table)
            .values(row)
            .on_conflict_do_nothing(),
    )?;
    Ok(n == 1)
}

/// The open household of a hamlet with this label (ignoring case).
pub fn open_with_label(
    conn: &mut DbConn,
    hamlet: &str,
    label_key: &str,
) -> QueryResult<Option<String>> {
    h::table
        .filter(h::hamlet_code.eq(hamlet))
        .filter(h::label_key.eq(label_key))
        .filter(h::closed_at.is_null())
        .select(h::id)
        .first(conn)
        .optional()
}

/// Writes a household's new state if it is still at `version`; `false` when another change
/// came first (the caller reads it again and merges once more).
pub fn update_if_version(conn: &mut DbConn, row: &HouseholdRow, version: i32) -> QueryResult<bool> {
    let n = diesel::update(h::table.find(&row.id).filter(h::version.eq(version)))
        .set((
            h::hamlet_code.eq(&row.hamlet_code),
            h::label.eq(&row.label),
            h::label_key.eq(&row.label_key),
            h::address.eq(&row.address),
            h::members.eq(row.members),
            h::adults.eq(row.adults),
            h::criteria_true.eq(row.criteria_true),
            h::criteria_known.eq(row.criteria_known),
            h::needs_placement.eq(row.needs_placement),
            h::closed_reason.eq(row.closed_reason),
            h::duplicate_of.eq(&row.duplicate_of),
            h::closed_at.eq(row.closed_at),
            h::version.eq(row.version),
            h::observed_at.eq(row.observed_at),
            h::updated_at.eq(row.updated_at),
            h::change_stamp.eq(row.change_stamp),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Appends a version.
pub fn insert_version(conn: &mut DbConn, row: &VersionRow) -> QueryResult<()> {
    dialect::execute(conn, diesel::insert_into(versions::table).values(row))?;
    Ok(())
}

/// A household's versions after `after`, oldest first.
pub fn versions_after(conn: &mut DbConn, id: &str, after: i32) -> QueryResult<Vec<VersionRow>> {
    versions::table
        .filter(versions::household_id.eq(id))
        .filter(versions::version.gt(after))
        .order(versions::version.asc())
        .select(VersionRow::as_select())
        .load(conn)
}

/// What a hamlet is to the register: its commune, province and whether it is closed.
#[derive(Debug, Clone, Queryable)]
pub struct HamletPlace {
    /// The hamlet.
    pub code: String,
    /// Its commune.
    pub commune_code: String,
    /// The commune's province.
    pub province_code: Option<String>,
    /// Its last day, if closed.
    pub valid_to: Option<NaiveDate>,
}

/// A hamlet with its commune's province.
pub fn hamlet_place(conn: &mut DbConn, code: &str) -> QueryResult<Option<HamletPlace>> {
    hamlets::table
        .inner_join(units::table.on(units::code.eq(hamlets::commune_code)))
        .filter(hamlets::code.eq(code))
        .select((
            hamlets::code,
            hamlets::commune_code,
            units::parent_code,
            hamlets::valid_to,
        ))
        .first(conn)
        .optional()
}

/// The hamlets a closed hamlet became, in code order.
pub fn successors(conn: &mut DbConn, code: &str) -> QueryResult<Vec<String>> {
    let mut next: Vec<(i32, String)> = hamlet_lineage::table
        .inner_join(hamlets::table.on(hamlets::code.eq(hamlet_lineage::to_code)))
        .filter(hamlet_lineage::from_code.eq(code))
        .select((hamlets::seq, hamlets::code))
        .load(conn)?;
    next.sort();
    Ok(next.into_iter().map(|(_, c)| c).collect())
}

/// Whether the user is a member of an active team that holds the hamlet.
pub fn holds_hamlet(conn: &mut DbConn, user_id: &str, hamlet: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        team_hamlets::table
            .inner_join(teams::table.on(teams::id.eq(team_hamlets::team_id)))
            .inner_join(team_members::table.on(team_members::team_id.eq(team_hamlets::team_id)))
            .filter(team_hamlets::hamlet_code.eq(hamlet))
            .filter(team_members::user_id.eq(user_id))
            .filter(teams::active.eq(true)),
    ))
    .get_result(conn)
}

/// The hamlets of the active teams the user belongs to.
pub fn hamlets_of_member(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<String>> {
    team_hamlets::table
        .inner_join(teams::table.on(teams::id.eq(team_hamlets::team_id)))
        .inner_join(team_members::table.on(team_members::team_id.eq(team_hamlets::team_id)))
        .filter(team_members::user_id.eq(user_id))
        .filter(teams::active.eq(true))
        .select(team_hamlets::hamlet_code)
        .distinct()
        .load(conn)
}

/// A team's commune, whether it is active, and whether the user is a member.
pub fn team_for(
    conn: &mut DbConn,
    team_id: &str,
    user_id: &str,
) -> QueryResult<Option<(String, bool, bool)>> {
    let team: Option<(String, bool)> = teams::table
        .find(team_id)
        .select((teams::commune_code, teams::active))
        .first(conn)
        .optional()?;
    let Some((commune, active)) = team else {
        return Ok(None);
    };
    let member = diesel::select(diesel::dsl::exists(
        team_members::table
            .filter(team_members::team_id.eq(team_id))
            .filter(team_members::user_id.eq(user_id)),
    ))
    .get_result(conn)?;
    Ok(Some((commune, active, member)))
}

/// A team's hamlets, in code order.
pub fn hamlets_of_team(conn: &mut DbConn, team_id: &str) -> QueryResult<Vec<String>> {
    team_hamlets::table
        .filter(team_hamlets::team_id.eq(team_id))
        .order(team_hamlets::hamlet_code.asc())
        .select(team_hamlets::hamlet_code)
        .load(conn)
}

/// The teams holding a hamlet.
pub fn teams_holding(conn: &mut DbConn, hamlet: &str) -> QueryResult<Vec<String>> {
    team_hamlets::table
        .filter(team_hamlets::hamlet_code.eq(hamlet))
        .select(team_hamlets::team_id)
        .load(conn)
}

/// Notes that households left teams' shares, with the change's stamp.
pub fn insert_exits(conn: &mut DbConn, rows: &[(String, String)], stamp: i64) -> QueryResult<()> {
    let values: Vec<_> = rows
        .iter()
        .map(|(team, household)| {
            (
                exits::team_id.eq(team),
                exits::household_id.eq(household),
                exits::change_stamp.eq(stamp),
            )
        })
        .collect();
    for chunk in values.chunks(5000) {
        dialect::execute(
            conn,
            diesel::insert_into(exits::table)
                .values(chunk)
                .on_conflict_do_nothing(),
        )?;
    }
    Ok(())
}

/// The open households of some hamlets.
pub fn open_ids_in(conn: &mut DbConn, hamlet_codes: &[String]) -> QueryResult<Vec<String>> {
    h::table
        .filter(h::hamlet_code.eq_any(hamlet_codes))
        .filter(h::closed_at.is_null())
        .select(h::id)
        .load(conn)
}

/// Marks the open households of some hamlets as changed, so every team holding them pulls
/// them again (a team given a hamlet receives its households).
pub fn touch_open_in(conn: &mut DbConn, hamlet_codes: &[String], stamp: i64) -> QueryResult<usize> {
    diesel::update(
        h::table
            .filter(h::hamlet_code.eq_any(hamlet_codes))
            .filter(h::closed_at.is_null()),
    )
    .set(h::change_stamp.eq(stamp))
    .execute(conn)
}

/// The open households of a hamlet.
pub fn open_in(conn: &mut DbConn, hamlet: &str) -> QueryResult<Vec<HouseholdRow>> {
    h::table
        .filter(h::hamlet_code.eq(hamlet))
        .filter(h::closed_at.is_null())
        .select(HouseholdRow::as_select())
        .load(conn)
}

/// Filters of the household list.
#[derive(Debug, Default)]
pub struct ListFilter {
    /// Only these hamlets (`None`: the caller's scope below).
    pub hamlets: Option<Vec<String>>,
    /// Only these communes (a supervisor's scope).
    pub communes: Option<Vec<String>>,
    /// Digital families (`Some(true)`) or not, by this mask.
    pub digital_family: Option<(bool, i32)>,
    /// Households marked for placement or not.
    pub needs_placement: Option<bool>,
    /// Not visited on or after this day.
    pub not_visited_since: Option<NaiveDateTime>,
    /// Label contains (lowercased, `LIKE`-escaped).
    pub label_like: Option<String>,
    /// Closed ones instead of open ones.
    pub closed: bool,
}

/// A page of households in label order after `after` (`(label_key, id)`).
pub fn list(
    conn: &mut DbConn,
    filter: &ListFilter,
    after: Option<(String, String)>,
    limit: i64,
) -> QueryResult<Vec<HouseholdRow>> {
    let mut q = h::table.select(HouseholdRow::as_select()).into_boxed();
    if let Some(hamlets) = &filter.hamlets {
        q = q.filter(h::hamlet_code.eq_any(hamlets.clone()));
    }
    if let Some(communes) = &filter.communes {
        q = q.filter(h::commune_code.eq_any(communes.clone()));
    }
    q = if filter.closed {
        q.filter(h::closed_at.is_not_null())
    } else {
        q.filter(h::closed_at.is_null())
    };
    match filter.digital_family {
        Some((true, mask)) => q = q.filter(has_all(mask)),
        Some((false, mask)) => q = q.filter(diesel::dsl::not(has_all(mask))),
        None => {}
    }
    if let Some(p) = filter.needs_placement {
        q = q.filter(h::needs_placement.eq(p));
    }
    if let Some(like) = &filter.label_like {
        q = q.filter(h::label_key.like(like.clone()).escape('\\'));
    }
    if let Some(since) = filter.not_visited_since {
        q = q.filter(diesel::dsl::not(diesel::dsl::exists(
            records::table
                .filter(records::household_id.eq(h::id.nullable()))
                .filter(records::occurred_at.ge(since))
                .filter(records::voided.eq(false)),
        )));
    }
    if let Some((key, id)) = after {
        q = q.filter(
            h::label_key
                .gt(key.clone())
                .or(h::label_key.eq(key).and(h::id.gt(id))),
        );
    }
    q.order((h::label_key.asc(), h::id.asc()))
        .limit(limit)
        .load(conn)
}

/// The communes of a province.
pub fn communes_of(conn: &mut DbConn, province: &str) -> QueryResult<Vec<String>> {
    units::table
        .filter(units::parent_code.eq(province))
        .select(units::code)
        .load(conn)
}

/// A page of a team's share changed after `(stamp, id)` and below `settled`, oldest change
/// first: the open households of its hamlets.
pub fn share_changes(
    conn: &mut DbConn,
    hamlet_codes: &[String],
    after: (i64, String),
    settled: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<HouseholdRow>> {
    let (stamp, id) = after;
    let mut q = h::table
        .filter(h::hamlet_code.eq_any(hamlet_codes.to_vec()))
        .filter(h::closed_at.is_null())
        .filter(
            h::change_stamp
                .gt(stamp)
                .or(h::change_stamp.eq(stamp).and(h::id.gt(id))),
        )
        .select(HouseholdRow::as_select())
        .into_boxed();
    if let Some(settled) = settled {
        q = q.filter(h::change_stamp.lt(settled));
    }
    q.order((h::change_stamp.asc(), h::id.asc()))
        .limit(limit)
        .load(conn)
}

/// A page of a team's exits after `(stamp, id)` and below `settled`.
pub fn exits_after(
    conn: &mut DbConn,
    team_id: &str,
    after: (i64, String),
    settled: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<(i64, String)>> {
    let (stamp, id) = after;
    let mut q = exits::table
        .filter(exits::team_id.eq(team_id))
        .filter(
            exits::change_stamp.gt(stamp).or(exits::change_stamp
                .eq(stamp)
                .and(exits::household_id.gt(id))),
        )
        .select((exits::change_stamp, exits::household_id))
        .into_boxed();
    if let Some(settled) = settled {
        q = q.filter(exits::change_stamp.lt(settled));
    }
    q.order((exits::change_stamp.asc(), exits::household_id.asc()))
        .limit(limit)
        .load(conn)
}

/// Of these households, those open in these hamlets now.
pub fn open_among(
    conn: &mut DbConn,
    ids: &[String],
    hamlet_codes: &[String],
) -> QueryResult<Vec<String>> {
    h::table
        .filter(h::id.eq_any(ids))
        .filter(h::hamlet_code.eq_any(hamlet_codes))
        .filter(h::closed_at.is_null())
        .select(h::id)
        .load(conn)
}

/// Whether a change to a team's share at or above `settled` has committed after `after`
/// (it waits for an older transaction; the page says `has_more`).
pub fn has_unsettled(
    conn: &mut DbConn,
    team_id: &str,
    hamlet_codes: &[String],
    settled: i64,
) -> QueryResult<bool> {
    let household = diesel::select(diesel::dsl::exists(
        h::table
            .filter(h::hamlet_code.eq_any(hamlet_codes.to_vec()))
            .filter(h::change_stamp.ge(settled)),
    ))
    .get_result::<bool>(conn)?;
    if household {
        return Ok(true);
    }
    diesel::select(diesel::dsl::exists(
        exits::table
            .filter(exits::team_id.eq(team_id))
            .filter(exits::change_stamp.ge(settled)),
    ))
    .get_result(conn)
}

/// The stored definitions of some provinces.
pub fn definitions(
    conn: &mut DbConn,
    provinces: &[String],
) -> QueryResult<HashMap<String, DefinitionRow>> {
    Ok(defs::table
        .filter(defs::province_code.eq_any(provinces))
        .select(DefinitionRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|d| (d.province_code.clone(), d))
        .collect())
}

/// Sets a province's definition.
pub fn put_definition(conn: &mut DbConn, row: &DefinitionRow) -> QueryResult<()> {
    dialect::execute(
        conn,
        diesel::insert_into(defs::table)
            .values(row)
            .on_conflict(defs::province_code)
            .do_update()
            .set((
                defs::criteria.eq(&row.criteria),
                defs::residential_area_share.eq(row.residential_area_share),
                defs::updated_by.eq(&row.updated_by),
                defs::updated_at.eq(row.updated_at),
            )),
    )?;
    Ok(())
}

/// The provinces of some communes.
pub fn provinces_of(
    conn: &mut DbConn,
    communes: &[String],
) -> QueryResult<HashMap<String, String>> {
    Ok(units::table
        .filter(units::code.eq_any(communes))
        .select((units::code, units::parent_code))
        .load::<(String, Option<String>)>(conn)?
        .into_iter()
        .filter_map(|(c, p)| p.map(|p| (c, p)))
        .collect())
}

/// A unit's parent and kind (`None` for no such unit).
pub fn unit_parent(conn: &mut DbConn, code: &str) -> QueryResult<Option<Option<String>>> {
    units::table
        .find(code)
        .select(units::parent_code)
        .first(conn)
        .optional()
}

/// Rewrites the stored changes of one version (erasure).
pub fn set_version_changes(
    conn: &mut DbConn,
    id: &str,
    version: i32,
    changes: &str,
) -> QueryResult<()> {
    diesel::update(versions::table.find((id, version)))
        .set(versions::changes.eq(changes))
        .execute(conn)?;
    Ok(())
}

/// Households closed before `before` that still hold an address (at most 1,000).
pub fn closed_with_address(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<Vec<String>> {
    h::table
        .filter(h::closed_at.lt(before))
        .filter(h::address.is_not_null())
        .select(h::id)
        .limit(1000)
        .load(conn)
}

/// Forgets a household's address.
pub fn clear_address(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::update(h::table.find(id))
        .set(h::address.eq(None::<String>))
        .execute(conn)?;
    Ok(())
}

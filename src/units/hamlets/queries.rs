//! Every query on hamlets, rearrangements, lineage and teams' hamlets.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::max;
use diesel::prelude::*;

use super::model::{HamletRow, Lineage, LineageRow, RearrangementRow};
use crate::db::DbConn;
use crate::schema::{hamlet_lineage, hamlets, rearrangements, team_hamlets};

/// One hamlet by code, open or closed.
pub fn find(conn: &mut DbConn, code: &str) -> QueryResult<Option<HamletRow>> {
    hamlets::table
        .find(code)
        .select(HamletRow::as_select())
        .first(conn)
        .optional()
}

/// Hamlets by code, open or closed.
pub fn find_many(conn: &mut DbConn, codes: &[String]) -> QueryResult<Vec<HamletRow>> {
    hamlets::table
        .filter(hamlets::code.eq_any(codes))
        .select(HamletRow::as_select())
        .load(conn)
}

/// Every hamlet of a commune, open or closed, in number order.
pub fn of_commune(conn: &mut DbConn, commune: &str) -> QueryResult<Vec<HamletRow>> {
    hamlets::table
        .filter(hamlets::commune_code.eq(commune))
        .order(hamlets::seq.asc())
        .select(HamletRow::as_select())
        .load(conn)
}

/// Which hamlets a list shows.
#[derive(Debug)]
pub struct HamletFilter<'a> {
    /// Only this commune's.
    pub commune: Option<&'a str>,
    /// Only this kind.
    pub kind: Option<&'a str>,
    /// Folded name contains this.
    pub q: Option<&'a str>,
    /// Valid on this day.
    pub day: NaiveDate,
}

/// The hamlets a filter shows, in code order after `after`, at most `limit`.
pub fn valid_on(
    conn: &mut DbConn,
    filter: &HamletFilter<'_>,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<HamletRow>> {
    let day = filter.day;
    let mut q = hamlets::table
        .filter(hamlets::valid_from.le(day))
        .filter(hamlets::valid_to.is_null().or(hamlets::valid_to.ge(day)))
        .select(HamletRow::as_select())
        .into_boxed();
    if let Some(commune) = filter.commune {
        q = q.filter(hamlets::commune_code.eq(commune.to_owned()));
    }
    if let Some(kind) = filter.kind {
        q = q.filter(hamlets::kind.eq(kind.to_owned()));
    }
    if let Some(text) = filter.q {
        q = q.filter(
            hamlets::search_text
                .like(crate::text::like_contains(text))
                .escape('\\'),
        );
    }
    if let Some(after) = after {
        q = q.filter(hamlets::code.gt(after.to_owned()));
    }
    q.order(hamlets::code.asc()).limit(limit).load(conn)
}

/// The highest number given in a commune (0 for none).
pub fn last_seq(conn: &mut DbConn, commune: &str) -> QueryResult<i32> {
    Ok(hamlets::table
        .filter(hamlets::commune_code.eq(commune))
        .select(max(hamlets::seq))
        .first::<Option<i32>>(conn)?
        .unwrap_or(0))
}

/// Stores new hamlets.
pub fn insert(conn: &mut DbConn, rows: &[HamletRow]) -> QueryResult<()> {
    for row in rows {
        diesel::insert_into(hamlets::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Renames an open hamlet; `false` when it is closed (or gone).
pub fn rename(
    conn: &mut DbConn,
    code: &str,
    name: &str,
    search_text: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        hamlets::table
            .find(code)
            .filter(hamlets::valid_to.is_null()),
    )
    .set((
        hamlets::name.eq(name),
        hamlets::search_text.eq(search_text),
        hamlets::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Closes open hamlets on `last_day`; returns how many were open.
pub fn close(
    conn: &mut DbConn,
    codes: &[String],
    last_day: NaiveDate,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        hamlets::table
            .filter(hamlets::code.eq_any(codes))
            .filter(hamlets::valid_to.is_null()),
    )
    .set((hamlets::valid_to.eq(last_day), hamlets::updated_at.eq(at)))
    .execute(conn)
}

/// Stores a rearrangement and its lineage.
pub fn insert_rearrangement(
    conn: &mut DbConn,
    row: &RearrangementRow,
    lineage: &[LineageRow],
) -> QueryResult<()> {
    diesel::insert_into(rearrangements::table)
        .values(row)
        .execute(conn)?;
    for edge in lineage {
        diesel::insert_into(hamlet_lineage::table)
            .values(edge)
            .execute(conn)?;
    }
    Ok(())
}

/// A commune's rearrangements, latest effective first.
pub fn rearrangements_of(conn: &mut DbConn, commune: &str) -> QueryResult<Vec<RearrangementRow>> {
    rearrangements::table
        .filter(rearrangements::commune_code.eq(commune))
        .order((
            rearrangements::effective_on.desc(),
            rearrangements::created_at.desc(),
        ))
        .select(RearrangementRow::as_select())
        .load(conn)
}

/// The lineage edges made by these rearrangements.
pub fn lineage_of_rearrangements(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<Vec<LineageRow>> {
    hamlet_lineage::table
        .filter(hamlet_lineage::rearrangement_id.eq_any(ids))
        .select(LineageRow::as_select())
        .load(conn)
}

/// Every lineage edge touching one of `codes`, as each hamlet's predecessors and
/// successors.
pub fn lineage(conn: &mut DbConn, codes: &[String]) -> QueryResult<HashMap<String, Lineage>> {
    let edges: Vec<LineageRow> = hamlet_lineage::table
        .filter(
            hamlet_lineage::from_code
                .eq_any(codes)
                .or(hamlet_lineage::to_code.eq_any(codes)),
        )
        .order((hamlet_lineage::from_code, hamlet_lineage::to_code))
        .select(LineageRow::as_select())
        .load(conn)?;
    let mut out: HashMap<String, Lineage> = HashMap::new();
    for edge in edges {
        out.entry(edge.from_code.clone())
            .or_default()
            .successors
            .push(edge.to_code.clone());
        out.entry(edge.to_code)
            .or_default()
            .predecessors
            .push(edge.from_code);
    }
    for l in out.values_mut() {
        l.predecessors.sort();
        l.successors.sort();
    }
    Ok(out)
}

/// Every lineage edge of a commune's hamlets (codes start with the commune's).
pub fn commune_lineage(conn: &mut DbConn, commune: &str) -> QueryResult<Vec<LineageRow>> {
    hamlet_lineage::table
        .filter(hamlet_lineage::from_code.like(format!("{commune}-%")))
        .select(LineageRow::as_select())
        .load(conn)
}

/// The hamlets of these teams, per team, in code order.
pub fn of_teams(conn: &mut DbConn, teams: &[String]) -> QueryResult<HashMap<String, Vec<String>>> {
    let rows: Vec<(String, String)> = team_hamlets::table
        .filter(team_hamlets::team_id.eq_any(teams))
        .order((team_hamlets::team_id, team_hamlets::hamlet_code))
        .select((team_hamlets::team_id, team_hamlets::hamlet_code))
        .load(conn)?;
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (team, code) in rows {
        out.entry(team).or_default().push(code);
    }
    Ok(out)
}

/// Replaces a team's hamlets.
pub fn set_team_hamlets(conn: &mut DbConn, team: &str, codes: &[String]) -> QueryResult<()> {
    diesel::delete(team_hamlets::table.filter(team_hamlets::team_id.eq(team))).execute(conn)?;
    let pairs: Vec<(String, String)> = codes.iter().map(|c| (team.to_owned(), c.clone())).collect();
    assign(conn, &pairs)
}

/// The teams assigned any of `codes`, with the code.
pub fn teams_of_hamlets(conn: &mut DbConn, codes: &[String]) -> QueryResult<Vec<(String, String)>> {
    team_hamlets::table
        .filter(team_hamlets::hamlet_code.eq_any(codes))
        .select((team_hamlets::team_id, team_hamlets::hamlet_code))
        .load(conn)
}

/// Adds teams' hamlets (already held ones are kept once).
pub fn assign(conn: &mut DbConn, pairs: &[(String, String)]) -> QueryResult<()> {
    for (team, code) in pairs {
        let held: i64 = team_hamlets::table
            .filter(team_hamlets::team_id.eq(team))
            .filter(team_hamlets::hamlet_code.eq(code))
            .count()
            .get_result(conn)?;
        if held == 0 {
            diesel::insert_into(team_hamlets::table)
                .values((
                    team_hamlets::team_id.eq(team),
                    team_hamlets::hamlet_code.eq(code),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Takes hamlets off every team.
pub fn unassign(conn: &mut DbConn, codes: &[String]) -> QueryResult<()> {
    diesel::delete(team_hamlets::table.filter(team_hamlets::hamlet_code.eq_any(codes)))
        .execute(conn)?;
    Ok(())
}

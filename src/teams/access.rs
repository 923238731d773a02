//! Who may read which team: supervisors in scope, or the team's members. Every domain
//! that acts on a team (teams, records, sync) asks here.

use super::error::TeamError;
use super::model::TeamRow;
use super::queries;
use crate::access::AuthUser;
use crate::access::teams::{Memberships, Team};
use crate::db::DbConn;

/// Loads a team the caller may read: supervisors in scope, or members.
pub fn readable(conn: &mut DbConn, caller: &AuthUser, id: &str) -> Result<TeamRow, TeamError> {
    let team = queries::find(conn, id)?.ok_or(TeamError::NotFound)?;
    let visible = if caller.role.is_supervisor() {
        crate::units::in_scope(conn, &caller.scope, &team.commune_code)?
    } else {
        queries::membership(conn, id, &caller.id)?.is_some()
    };
    if visible {
        Ok(team)
    } else {
        Err(TeamError::NotFound)
    }
}

/// [`queries::find_with_member`], answered from `recent` when it was read a moment ago.
pub fn find_with_member(
    conn: &mut DbConn,
    recent: &Memberships,
    team_id: &str,
    user_id: &str,
) -> diesel::QueryResult<Option<(Team, bool)>> {
    let key = (team_id.to_owned(), user_id.to_owned());
    if let Some(known) = recent.get(&key) {
        return Ok(known);
    }
    let ticket = recent.ticket();
    let found = queries::find_with_member(conn, team_id, user_id)?
        .map(|(team, member)| (Team::from(team), member));
    recent.put(ticket, key, found.clone());
    Ok(found)
}

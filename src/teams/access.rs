//! Who may read which team: supervisors in scope, or the team's members. Every domain
//! that acts on a team (teams, records, sync) asks here.

use super::model::TeamRow;
use super::queries;
use crate::access::AuthUser;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::messages as msg;

/// Loads a team the caller may read: supervisors in scope, or members. Otherwise 404.
pub fn readable(conn: &mut DbConn, caller: &AuthUser, id: &str) -> ApiResult<TeamRow> {
    let team = queries::find(conn, id)?.ok_or_else(|| ApiError::NotFound(msg::NOT_FOUND_TEAM))?;
    let visible = if caller.role.is_supervisor() {
        crate::units::in_scope(conn, &caller.scope, &team.commune_code)?
    } else {
        queries::membership(conn, id, &caller.id)?.is_some()
    };
    if visible {
        Ok(team)
    } else {
        Err(ApiError::NotFound(msg::NOT_FOUND_TEAM))
    }
}

/// Teams and whether a user is in them, as read a moment ago, by `(team, user)`: what every
/// record create checks. Membership and team changes made through this node clear it at
/// once; see [`crate::recent`] for other nodes.
pub type Memberships = crate::recent::Recent<(String, String), Option<(TeamRow, bool)>>;

/// [`queries::find_with_member`], answered from `recent` when it was read a moment ago.
pub fn find_with_member(
    conn: &mut DbConn,
    recent: &Memberships,
    team_id: &str,
    user_id: &str,
) -> diesel::QueryResult<Option<(TeamRow, bool)>> {
    let key = (team_id.to_owned(), user_id.to_owned());
    if let Some(known) = recent.get(&key) {
        return Ok(known);
    }
    let ticket = recent.ticket();
    let found = queries::find_with_member(conn, team_id, user_id)?;
    recent.put(ticket, key, found.clone());
    Ok(found)
}

//! Who may read which team: supervisors in scope, or the team's members. Every domain
//! that acts on a team (teams, records, sync) asks here.

use super::model::TeamRow;
use super::queries;
use crate::auth::AuthUser;
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

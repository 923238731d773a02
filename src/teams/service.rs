//! Team rules: creating a team in a commune of the caller's scope, changing it, and adding
//! or removing members, each with its audit entry in the same transaction. The caller's
//! right to manage the team (`teams::access`) is checked before.

use diesel::Connection;
use uuid::Uuid;

use super::error::{TeamError, name_taken};
use super::model::{MemberRole, MemberRow, Team, TeamDetail, TeamRow};
use super::queries::{self, TeamChanges};
use crate::access::AuthUser;
use crate::audit::{AuditAction, ObjectKind};
use crate::db::DbConn;
use crate::error::FieldError;
use crate::messages as msg;
use crate::users::access::user_in_scope;

/// A new team as sent, its text not yet trimmed.
#[derive(Debug, Clone)]
pub struct NewTeam {
    /// The commune it works in.
    pub commune_code: String,
    /// Name, unique in the commune.
    pub name: String,
    /// Where it works.
    pub area: Option<String>,
}

/// Changes to a team as sent; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct TeamUpdate {
    /// New name.
    pub name: Option<String>,
    /// New area (empty clears it).
    pub area: Option<String>,
    /// Deactivate or reactivate.
    pub active: Option<bool>,
}

/// Text as stored: trimmed, and an empty area is none.
fn area(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|a| !a.is_empty())
}

/// A team with its members.
pub fn detail(conn: &mut DbConn, team: TeamRow) -> Result<TeamDetail, TeamError> {
    let members = queries::members(conn, &team.id)?;
    let team = with_hamlets(conn, vec![team.into()])?.remove(0);
    Ok(TeamDetail { team, members })
}

/// Teams with their hamlets filled in, in one query.
pub fn with_hamlets(conn: &mut DbConn, mut teams: Vec<Team>) -> diesel::QueryResult<Vec<Team>> {
    let ids: Vec<String> = teams.iter().map(|t| t.id.clone()).collect();
    let mut hamlets = crate::units::hamlets::queries::of_teams(conn, &ids)?;
    for team in &mut teams {
        team.hamlet_codes = hamlets.remove(&team.id).unwrap_or_default();
    }
    Ok(teams)
}

/// Sets the hamlets a team works in: distinct current hamlets of its commune (a closed
/// one, another commune's or an unknown code is a field error naming its place in the
/// list). Audited. The team's phones then receive the households of the hamlets given and
/// drop those of the hamlets taken away (`households::share`).
pub fn set_hamlets(
    conn: &mut DbConn,
    caller: &AuthUser,
    team: TeamRow,
    codes: Vec<String>,
) -> Result<TeamDetail, TeamError> {
    let codes: Vec<String> = codes.iter().map(|c| c.trim().to_owned()).collect();
    let found: std::collections::HashMap<String, crate::units::hamlets::model::HamletRow> =
        crate::units::hamlets::queries::find_many(conn, &codes)?
            .into_iter()
            .map(|h| (h.code.clone(), h))
            .collect();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, code) in codes.iter().enumerate() {
        let field = format!("hamlet_codes[{i}]");
        match found.get(code) {
            _ if !seen.insert(code.clone()) => {
                errors.push(FieldError::new(field, "duplicate", msg::DUPLICATE_ITEM));
            }
            Some(h) if h.commune_code == team.commune_code && h.valid_to.is_none() => {}
            Some(h) if h.commune_code == team.commune_code => {
                errors.push(FieldError::new(field, "hamlet_closed", msg::HAMLET_CLOSED));
            }
            _ => errors.push(FieldError::new(field, "wrong_hamlet", msg::WRONG_HAMLET)),
        }
    }
    if !errors.is_empty() {
        return Err(TeamError::Invalid(errors));
    }
    let mut sorted = codes.clone();
    sorted.sort();
    conn.transaction(|conn| {
        let before = crate::households::queries::hamlets_of_team(conn, &team.id)?;
        crate::units::hamlets::queries::set_team_hamlets(conn, &team.id, &sorted)?;
        crate::households::share::team_hamlets_changed(conn, &team.id, &before, &sorted)?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            AuditAction::TeamHamlets,
            (ObjectKind::Team, &team.id),
            Some(&team.commune_code),
            format!("set hamlets {}", sorted.join(", ")),
        )?;
        Ok::<_, TeamError>(())
    })?;
    detail(conn, team)
}

/// Creates a team in an active commune of the caller's scope. `errors` are the failing
/// fields the request's own rules found; the commune's are added, and all are answered
/// together before the scope is looked at.
pub fn create(
    conn: &mut DbConn,
    caller: &AuthUser,
    new: NewTeam,
    mut errors: Vec<FieldError>,
) -> Result<Team, TeamError> {
    let unit = crate::units::queries::find(conn, &new.commune_code)?;
    match &unit {
        None => errors.push(FieldError::new(
            "commune_code",
            "unknown_unit",
            msg::UNKNOWN_UNIT,
        )),
        Some(u) if u.kind.is_province() => errors.push(FieldError::new(
            "commune_code",
            "not_a_commune",
            msg::NOT_A_COMMUNE,
        )),
        Some(u) if !u.active => errors.push(FieldError::new(
            "commune_code",
            "inactive_unit",
            msg::INACTIVE_UNIT,
        )),
        Some(_) => {}
    }
    if !errors.is_empty() {
        return Err(TeamError::Invalid(errors));
    }
    let parent = unit.and_then(|u| u.parent_code);
    if !caller
        .scope
        .contains(Some(&new.commune_code), parent.as_deref())
    {
        return Err(TeamError::UnitNotInScope);
    }
    let now = crate::clock::now();
    let row = TeamRow {
        id: Uuid::new_v4().to_string(),
        commune_code: new.commune_code,
        name: new.name.trim().to_owned(),
        area: new.area.as_deref().and_then(area),
        active: true,
        created_by: Some(caller.id.clone()),
        created_at: now,
        updated_at: now,
    };
    conn.transaction(|conn| {
        queries::insert(conn, &row).map_err(name_taken)?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            AuditAction::TeamCreate,
            (ObjectKind::Team, &row.id),
            Some(&row.commune_code),
            format!("created team {:?}", row.name),
        )?;
        Ok::<_, TeamError>(())
    })?;
    Ok(Team::from(row))
}

/// Renames, moves the area of, deactivates or reactivates `team`; the audit entry names
/// what changed.
pub fn update(
    conn: &mut DbConn,
    caller: &AuthUser,
    team: TeamRow,
    update: TeamUpdate,
) -> Result<TeamDetail, TeamError> {
    let changes = TeamChanges {
        name: update.name.as_deref().map(|n| n.trim().to_owned()),
        area: update.area.as_deref().map(area),
        active: update.active,
        updated_at: Some(crate::clock::now()),
    };
    let mut changed = Vec::new();
    if changes.name.is_some() {
        changed.push("name");
    }
    if changes.area.is_some() {
        changed.push("area");
    }
    if let Some(active) = update.active {
        changed.push(if active { "reactivated" } else { "deactivated" });
    }
    conn.transaction(|conn| {
        queries::update(conn, &team.id, &changes).map_err(name_taken)?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            AuditAction::TeamUpdate,
            (ObjectKind::Team, &team.id),
            Some(&team.commune_code),
            format!("changed {}", changed.join(", ")),
        )?;
        Ok::<_, TeamError>(())
    })?;
    let team = queries::find(conn, &team.id)?.ok_or(TeamError::NotFound)?;
    detail(conn, team)
}

/// Makes an active user of the team's commune a member of the active `team` in `role`
/// (or changes their role). A user of another commune is a field error when the caller may
/// see them, and unknown otherwise.
pub fn put_member(
    conn: &mut DbConn,
    caller: &AuthUser,
    team: TeamRow,
    user_id: &str,
    role: MemberRole,
) -> Result<TeamDetail, TeamError> {
    let user = crate::users::queries::find(conn, user_id)?.ok_or(TeamError::UserNotFound)?;
    if user.unit_code.as_deref() != Some(team.commune_code.as_str()) {
        if !user_in_scope(conn, caller, &user)? {
            return Err(TeamError::UserNotFound);
        }
        return Err(TeamError::Invalid(vec![FieldError::new(
            "user_id",
            "wrong_commune",
            msg::WRONG_COMMUNE,
        )]));
    }
    if !user.active {
        return Err(TeamError::Invalid(vec![FieldError::new(
            "user_id",
            "inactive_user",
            msg::INACTIVE_USER,
        )]));
    }
    if !team.active {
        return Err(TeamError::Inactive);
    }
    let row = MemberRow {
        team_id: team.id.clone(),
        user_id: user.id.clone(),
        role,
        added_by: Some(caller.id.clone()),
        added_at: crate::clock::now(),
    };
    conn.transaction(|conn| {
        queries::put_member(conn, &row)?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            AuditAction::TeamMemberPut,
            (ObjectKind::Team, &team.id),
            Some(&team.commune_code),
            format!("user {} is {}", user.id, role.as_str()),
        )
    })?;
    detail(conn, team)
}

/// Takes a member out of `team` (their records stay).
pub fn remove_member(
    conn: &mut DbConn,
    caller: &AuthUser,
    team: &TeamRow,
    user_id: &str,
) -> Result<(), TeamError> {
    conn.transaction(|conn| {
        if !queries::remove_member(conn, &team.id, user_id)? {
            return Err(TeamError::NotAMember);
        }
        crate::audit::record(
            conn,
            Some(&caller.id),
            AuditAction::TeamMemberRemove,
            (ObjectKind::Team, &team.id),
            Some(&team.commune_code),
            format!("removed user {user_id}"),
        )?;
        Ok(())
    })
}

//! Every query on `teams` and `team_members`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Member, MemberRole, MemberRow, Membership, TeamRow};
use crate::access::{Role, Scope};
use crate::db::DbConn;
use crate::schema::{team_members, teams, units, users};

/// Which teams a caller may list.
#[derive(Debug, Clone)]
pub enum Visibility {
    /// Supervisors and admins: the teams of their scope.
    Scope(Scope),
    /// Volunteers: the teams they belong to.
    MemberOf(String),
}

/// One team by id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<TeamRow>> {
    teams::table
        .find(id)
        .select(TeamRow::as_select())
        .first(conn)
        .optional()
}

/// One team by id and whether `user_id` is a member, in one round trip: the check every
/// record write makes.
pub fn find_with_member(
    conn: &mut DbConn,
    id: &str,
    user_id: &str,
) -> QueryResult<Option<(TeamRow, bool)>> {
    let found: Option<(TeamRow, Option<String>)> = teams::table
        .left_join(
            team_members::table.on(team_members::team_id
                .eq(teams::id)
                .and(team_members::user_id.eq(user_id))),
        )
        .filter(teams::id.eq(id))
        .select((TeamRow::as_select(), team_members::user_id.nullable()))
        .first(conn)
        .optional()?;
    Ok(found.map(|(team, member)| (team, member.is_some())))
}

/// Stores a new team.
pub fn insert(conn: &mut DbConn, team: &TeamRow) -> QueryResult<()> {
    diesel::insert_into(teams::table)
        .values(team)
        .execute(conn)
        .map(drop)
}

/// Teams visible to the caller, optionally under `unit`, newest first after a keyset.
pub fn list(
    conn: &mut DbConn,
    visibility: &Visibility,
    unit: Option<&str>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<TeamRow>> {
    let mut query = teams::table.select(TeamRow::as_select()).into_boxed();
    let communes_of = |province: &str| {
        units::table
            .select(units::code)
            .filter(units::parent_code.eq(province.to_owned()))
    };
    match visibility {
        Visibility::Scope(Scope::National) => {}
        Visibility::Scope(Scope::Province(p)) => {
            query = query.filter(teams::commune_code.eq_any(communes_of(p)))
        }
        Visibility::Scope(Scope::Commune(c)) => {
            query = query.filter(teams::commune_code.eq(c.clone()))
        }
        Visibility::MemberOf(user) => {
            query = query.filter(
                teams::id.eq_any(
                    team_members::table
                        .select(team_members::team_id)
                        .filter(team_members::user_id.eq(user.clone())),
                ),
            )
        }
    }
    if let Some(unit) = unit {
        query = query.filter(
            teams::commune_code
                .eq(unit.to_owned())
                .or(teams::commune_code.eq_any(communes_of(unit))),
        );
    }
    if let Some((at, id)) = after {
        query = query.filter(
            teams::created_at
                .lt(at)
                .or(teams::created_at.eq(at).and(teams::id.lt(id))),
        );
    }
    query
        .order((teams::created_at.desc(), teams::id.desc()))
        .limit(limit)
        .load(conn)
}

/// Changes to a team; `None` leaves a column alone.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = teams)]
pub struct TeamChanges {
    /// New name.
    pub name: Option<String>,
    /// New area (`Some(None)` clears it).
    pub area: Option<Option<String>>,
    /// New active flag.
    pub active: Option<bool>,
    /// Change instant.
    pub updated_at: Option<NaiveDateTime>,
}

/// Applies changes to a team.
pub fn update(conn: &mut DbConn, id: &str, changes: &TeamChanges) -> QueryResult<()> {
    diesel::update(teams::table.find(id))
        .set(changes)
        .execute(conn)
        .map(drop)
}

/// Members of a team, leads first, then by name.
pub fn members(conn: &mut DbConn, team_id: &str) -> QueryResult<Vec<Member>> {
    let rows: Vec<(String, String, Role, MemberRole, NaiveDateTime)> = team_members::table
        .inner_join(users::table.on(users::id.eq(team_members::user_id)))
        .filter(team_members::team_id.eq(team_id))
        .select((
            team_members::user_id,
            users::full_name,
            users::role,
            team_members::role,
            team_members::added_at,
        ))
        .order((team_members::role.asc(), users::full_name.asc()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(user_id, full_name, user_role, role, added_at)| Member {
            user_id,
            full_name,
            user_role,
            role,
            added_at: added_at.and_utc(),
        })
        .collect())
}

/// A user's membership of a team, if any.
pub fn membership(
    conn: &mut DbConn,
    team_id: &str,
    user_id: &str,
) -> QueryResult<Option<MemberRow>> {
    team_members::table
        .find((team_id, user_id))
        .select(MemberRow::as_select())
        .first(conn)
        .optional()
}

/// Adds a member or changes their role.
pub fn put_member(conn: &mut DbConn, row: &MemberRow) -> QueryResult<()> {
    let updated = diesel::update(team_members::table.find((&row.team_id, &row.user_id)))
        .set(team_members::role.eq(&row.role))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(team_members::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Removes a member; `false` if they were not one.
pub fn remove_member(conn: &mut DbConn, team_id: &str, user_id: &str) -> QueryResult<bool> {
    let n = diesel::delete(team_members::table.find((team_id, user_id))).execute(conn)?;
    Ok(n > 0)
}

/// The teams a user belongs to, by name.
pub fn memberships(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<Membership>> {
    let rows: Vec<(String, String, String, MemberRole, bool)> = team_members::table
        .inner_join(teams::table)
        .filter(team_members::user_id.eq(user_id))
        .select((
            teams::id,
            teams::name,
            teams::commune_code,
            team_members::role,
            teams::active,
        ))
        .order(teams::name.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(team_id, name, commune_code, role, active)| Membership {
            team_id,
            name,
            commune_code,
            role,
            active,
        })
        .collect())
}

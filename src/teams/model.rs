//! Teams and members as stored and as shown.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::roles::Role;
use crate::schema::{team_members, teams};

crate::text::text_enum! {
    /// A member's place in a team.
    MemberRole {
        /// Tổ trưởng: may also review the team's records (not their own).
        Lead => "lead",
        /// Tổ viên.
        Member => "member",
    }
}

/// A team row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = teams)]
pub struct TeamRow {
    /// UUID.
    pub id: String,
    /// The commune the team works in.
    pub commune_code: String,
    /// Name, unique within the commune.
    pub name: String,
    /// Where the team works (hamlets, residential groups).
    pub area: Option<String>,
    /// 0 once deactivated.
    pub active: bool,
    /// Creator.
    pub created_by: Option<String>,
    /// Creation instant (UTC).
    pub created_at: NaiveDateTime,
    /// Last change (UTC).
    pub updated_at: NaiveDateTime,
}

impl From<TeamRow> for crate::access::teams::Team {
    fn from(row: TeamRow) -> Self {
        Self {
            id: row.id,
            commune_code: row.commune_code,
            active: row.active,
        }
    }
}

/// A membership row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = team_members)]
pub struct MemberRow {
    /// Team.
    pub team_id: String,
    /// User.
    pub user_id: String,
    /// Lead or member.
    pub role: MemberRole,
    /// Who added them.
    pub added_by: Option<String>,
    /// When.
    pub added_at: NaiveDateTime,
}

/// A team.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "5b0c3e2a-8f7d-4d0e-9a51-3f6a2b1c9d01",
    "commune_code": "00004",
    "name": "Tổ công nghệ số cộng đồng số 1",
    "area": "Tổ dân phố 1–5",
    "active": true,
    "hamlet_codes": ["00004-1", "00004-2"],
    "created_at": "2026-03-01T01:00:00Z",
    "updated_at": "2026-03-01T01:00:00Z"
}))]
pub struct Team {
    /// UUID.
    pub id: String,
    /// The commune the team works in.
    pub commune_code: String,
    /// Name, unique within the commune.
    pub name: String,
    /// Where the team works.
    pub area: Option<String>,
    /// `false` once deactivated.
    pub active: bool,
    /// The hamlets and residential groups it works in (codes, current ones of its commune).
    #[schema(example = json!(["00004-1", "00004-2"]))]
    pub hamlet_codes: Vec<String>,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<TeamRow> for Team {
    fn from(row: TeamRow) -> Self {
        Self {
            id: row.id,
            commune_code: row.commune_code,
            name: row.name,
            area: row.area,
            active: row.active,
            hamlet_codes: Vec::new(),
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// A member of a team.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Member {
    /// User id.
    pub user_id: String,
    /// The user's name.
    #[schema(example = "Nguyễn Thị Hoa")]
    pub full_name: String,
    /// The user's role in gocua.
    pub user_role: Role,
    /// Place in the team.
    pub role: MemberRole,
    /// When they joined.
    pub added_at: DateTime<Utc>,
}

/// A team with its members.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamDetail {
    /// The team.
    #[serde(flatten)]
    pub team: Team,
    /// Its members, leads first, then by name.
    pub members: Vec<Member>,
}

/// A team the caller belongs to, as `/me` shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Membership {
    /// Team id.
    pub team_id: String,
    /// Team name.
    pub name: String,
    /// The team's commune.
    pub commune_code: String,
    /// Place in the team.
    pub role: MemberRole,
    /// Whether the team is active.
    pub active: bool,
}

/// Longest description of a team's area.
pub const AREA_MAX: u64 = 200;

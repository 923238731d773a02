//! The user as stored and as shown.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::access::roles::Role;
use crate::schema::users;
use crate::units::UnitKind;

/// A user row, password hash included: never serialised.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    /// UUID.
    pub id: String,
    /// Normalised phone (`+84…`).
    pub phone: String,
    /// Name as the person writes it.
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// Home unit (`None` for admins).
    pub unit_code: Option<String>,
    /// Folded name and phone for search.
    pub search_text: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// 0 when disabled.
    pub active: bool,
    /// Bumped to end every session (password change, deactivation).
    pub token_generation: i32,
    /// Who created this user (`None` for the command line).
    pub created_by: Option<String>,
    /// Creation instant (UTC).
    pub created_at: NaiveDateTime,
    /// Last change (UTC).
    pub updated_at: NaiveDateTime,
}

impl UserRow {
    /// The role.
    pub fn role(&self) -> Role {
        self.role
    }
}

/// Whether a unit of this kind (or none) is the right home for the role: admins have no
/// unit, province supervisors a province, the others a commune.
pub fn fits_unit(role: Role, kind: Option<UnitKind>) -> bool {
    match role {
        Role::Admin => kind.is_none(),
        Role::ProvinceSupervisor => kind.is_some_and(UnitKind::is_province),
        Role::CommuneSupervisor | Role::Volunteer => kind.is_some_and(|k| !k.is_province()),
    }
}

/// What unit the role needs, for error messages.
pub fn unit_requirement(role: Role) -> crate::messages::Text {
    use crate::messages as msg;
    match role {
        Role::Admin => msg::ADMIN_HAS_NO_UNIT,
        Role::ProvinceSupervisor => msg::PROVINCE_ROLE_UNIT,
        Role::CommuneSupervisor | Role::Volunteer => msg::COMMUNE_ROLE_UNIT,
    }
}

/// Search text of a user: folded name plus the phone in both spellings people type.
pub fn search_text(full_name: &str, phone: &str) -> String {
    let national = phone
        .strip_prefix("+84")
        .map(|n| format!("0{n}"))
        .unwrap_or_default();
    format!(
        "{} {} {}",
        crate::text::fold(full_name),
        national,
        phone.trim_start_matches('+')
    )
}

/// A user as the API shows them (never the password hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "phone": "+84912345678",
    "full_name": "Nguyễn Thị Hoa",
    "role": "volunteer",
    "unit_code": "00004",
    "active": true,
    "created_at": "2026-03-14T02:30:00Z",
    "updated_at": "2026-03-14T02:30:00Z"
}))]
pub struct UserView {
    /// UUID.
    pub id: String,
    /// Normalised phone (`+84` and nine digits).
    pub phone: String,
    /// Full name, diacritics kept.
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// Home unit; `null` for admins.
    pub unit_code: Option<String>,
    /// `false` once disabled.
    pub active: bool,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<UserRow> for UserView {
    fn from(row: UserRow) -> Self {
        Self {
            role: row.role(),
            id: row.id,
            phone: row.phone,
            full_name: row.full_name,
            unit_code: row.unit_code,
            active: row.active,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "phone": "0912345678",
    "full_name": "Nguyễn Thị Hoa",
    "role": "volunteer",
    "unit_code": "00004",
    "password": "mật-khẩu-an-toàn"
}))]
pub struct CreateUser {
    /// Vietnamese mobile number, any usual spelling.
    #[validate(custom(function = "crate::rules::vn_mobile"))]
    pub phone: String,
    /// Full name (1–100 characters).
    #[validate(custom(function = "crate::rules::name"))]
    pub full_name: String,
    /// Role, lower than the caller's.
    pub role: Role,
    /// Home unit: a province for province supervisors, a commune otherwise.
    pub unit_code: Option<String>,
    /// Initial password (8–128 characters).
    #[validate(custom(function = "crate::rules::new_password"))]
    pub password: String,
}

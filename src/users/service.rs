//! Creating a user, shared by `POST /api/v1/users` and `gocua create-user` so both apply
//! the same checks (the command line only skips the caller's role and scope); changing one
//! with its audit entry.

use diesel::Connection;
use uuid::Uuid;

use validator::Validate;

use super::access::unit_of;
use super::model::CreateUser;
use super::model::{UserRow, search_text};
use super::queries::{self, UserChanges};
use crate::access::{AuthUser, password, phone};
use crate::db::{DbConn, DbError};
use crate::error::{FieldError, field_errors};
use crate::messages as msg;

/// Why a user could not be created, in the domain's words; `users::handlers` says what each
/// means on the wire and the command line prints it.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// Fields break the rules; every failing field is listed.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// Users are created with a role lower than the caller's (the caller's role named).
    #[error("a {0} creates users of lower roles only")]
    RoleTooHigh(crate::access::Role),
    /// The unit lies outside the caller's scope.
    #[error("no such unit in scope")]
    UnitNotFound,
    /// Another user has the phone.
    #[error("the phone number is taken")]
    PhoneTaken,
    /// The user is gone.
    #[error("no such user")]
    UserNotFound,
    /// The password could not be hashed.
    #[error(transparent)]
    Hashing(anyhow::Error),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DbError),
}

crate::db::domain_error!(UserError);

/// Validates and stores a new user. With a `caller`, the role must be lower than theirs
/// (403) and the unit inside their scope (404); without one (the command line), any role.
pub fn create(
    conn: &mut DbConn,
    body: CreateUser,
    caller: Option<&AuthUser>,
) -> Result<UserRow, UserError> {
    if let Some(caller) = caller
        && body.role >= caller.role
    {
        return Err(UserError::RoleTooHigh(caller.role));
    }
    let mut errors = body
        .validate()
        .err()
        .map(|e| field_errors(&e))
        .unwrap_or_default();
    let phone = phone::normalize(&body.phone);
    let unit = match &body.unit_code {
        Some(code) => {
            let unit = unit_of(conn, code)?;
            match &unit {
                None => errors.push(FieldError::new(
                    "unit_code",
                    "unknown_unit",
                    msg::UNKNOWN_UNIT,
                )),
                Some((_, _, false)) => errors.push(FieldError::new(
                    "unit_code",
                    "inactive_unit",
                    msg::INACTIVE_UNIT,
                )),
                Some((kind, _, true)) if !super::model::fits_unit(body.role, Some(*kind)) => errors
                    .push(FieldError::new(
                        "unit_code",
                        "wrong_unit_kind",
                        super::model::unit_requirement(body.role),
                    )),
                Some(_) => {}
            }
            unit
        }
        None if !super::model::fits_unit(body.role, None) => {
            errors.push(FieldError::new(
                "unit_code",
                "required",
                super::model::unit_requirement(body.role),
            ));
            None
        }
        None => None,
    };
    let Some(phone) = phone.filter(|_| errors.is_empty()) else {
        return Err(UserError::Invalid(errors));
    };
    if let Some(caller) = caller {
        let parent = unit.and_then(|(_, p, _)| p);
        if !caller
            .scope
            .contains(body.unit_code.as_deref(), parent.as_deref())
        {
            return Err(UserError::UnitNotFound);
        }
    }
    let now = crate::clock::now();
    let user = UserRow {
        id: Uuid::new_v4().to_string(),
        search_text: search_text(&body.full_name, &phone),
        phone,
        full_name: body.full_name.trim().to_owned(),
        role: body.role,
        unit_code: body.unit_code,
        password_hash: password::hash(&body.password).map_err(UserError::Hashing)?,
        active: true,
        token_generation: 0,
        created_by: caller.map(|c| c.id.clone()),
        created_at: now,
        updated_at: now,
    };
    conn.transaction(|conn| {
        queries::insert(conn, &user)?;
        crate::audit::record(
            conn,
            caller.map(|c| c.id.as_str()),
            crate::audit::AuditAction::UserCreate,
            (crate::audit::ObjectKind::User, &user.id),
            user.unit_code.as_deref(),
            format!("created {} {}", user.role, user.phone),
        )
    })
    .map_err(|e| {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => UserError::PhoneTaken,
            other => other.into(),
        }
    })?;
    Ok(user)
}

/// Changes to a user as sent; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    /// New full name (trimmed before it is stored).
    pub full_name: Option<String>,
    /// New role: it must fit the user's unit.
    pub role: Option<crate::access::Role>,
    /// `false` disables the account and ends its sessions.
    pub active: Option<bool>,
}

/// Changes `user` (whom the caller may change), with an audit entry naming what changed.
/// `errors` are the failing fields the request's own rules found; a role that does not
/// fit the user's unit is added, and all are answered together.
pub fn update(
    conn: &mut DbConn,
    caller: &AuthUser,
    user: UserRow,
    update: UserUpdate,
    mut errors: Vec<FieldError>,
) -> Result<UserRow, UserError> {
    if let Some(role) = update.role {
        let kind = match &user.unit_code {
            Some(code) => unit_of(conn, code)?.map(|(k, _, _)| k),
            None => None,
        };
        if !super::model::fits_unit(role, kind) {
            errors.push(FieldError::new(
                "role",
                "wrong_unit_kind",
                super::model::unit_requirement(role),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(UserError::Invalid(errors));
    }
    let name = update.full_name.as_deref().map(str::trim);
    let disabling = update.active == Some(false) && user.active;
    let changes = UserChanges {
        full_name: name.map(str::to_owned),
        search_text: name.map(|n| search_text(n, &user.phone)),
        role: update.role,
        active: update.active,
        password_hash: None,
        updated_at: Some(crate::clock::now()),
    };
    let mut summary = Vec::new();
    if changes.full_name.is_some() {
        summary.push("full_name".to_owned());
    }
    if let Some(role) = &changes.role {
        summary.push(format!("role {} -> {role}", user.role));
    }
    if let Some(active) = update.active {
        summary.push(format!("active={active}"));
    }
    conn.transaction(|conn| {
        queries::update(conn, &user.id, &changes, disabling)?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            crate::audit::AuditAction::UserUpdate,
            (crate::audit::ObjectKind::User, &user.id),
            user.unit_code.as_deref(),
            format!("changed {}", summary.join(", ")),
        )
    })?;
    queries::find(conn, &user.id)?.ok_or(UserError::UserNotFound)
}

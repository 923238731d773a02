//! Dashboard key rules: issuing a key for a unit of the caller's scope (the key shown once,
//! only its digest stored) and revoking one, each with its audit entry.

use diesel::Connection;
use uuid::Uuid;

use super::KEY_PREFIX;
use super::model::ApiKeyRow;
use super::queries;
use crate::access::{AuthUser, tokens};
use crate::audit::{AuditAction, ObjectKind};
use crate::db::{DbConn, DbError};
use crate::error::FieldError;
use crate::messages as msg;
use crate::units::UnitError;

/// Why the key service refused a request or could not carry it out; `apikeys::handlers`
/// decides what each means on the wire.
#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    /// Fields break the rules; every failing field is listed.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// The unit is outside the caller's scope.
    #[error("the unit is outside the caller's scope")]
    UnitNotInScope,
    /// No such key in the caller's scope.
    #[error("no such key in the caller's scope")]
    NotFound,
    /// No key could be drawn from the system's random source.
    #[error("no random key: {0}")]
    Random(anyhow::Error),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DbError),
}

crate::db::domain_error!(ApiKeyError);

impl From<UnitError> for ApiKeyError {
    fn from(e: UnitError) -> Self {
        match e {
            UnitError::NotInScope => Self::UnitNotInScope,
            UnitError::Database(e) => Self::Database(e),
        }
    }
}

/// Issues a key named `name` for `unit_code`: the stored row and the key itself, which is
/// never stored and never shown again.
pub fn issue(
    conn: &mut DbConn,
    caller: &AuthUser,
    name: &str,
    unit_code: &str,
) -> Result<(ApiKeyRow, String), ApiKeyError> {
    let mut errors = Vec::new();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > crate::rules::NAME_MAX {
        errors.push(FieldError::new(
            "name",
            "length",
            msg::length(1, crate::rules::NAME_MAX),
        ));
    }
    if crate::units::queries::find(conn, unit_code)?.is_none() {
        errors.push(FieldError::new(
            "unit_code",
            "unknown_unit",
            msg::UNKNOWN_UNIT,
        ));
    }
    if !errors.is_empty() {
        return Err(ApiKeyError::Invalid(errors));
    }
    crate::units::require_in_scope(conn, &caller.scope, unit_code)?;
    let (secret, _) = tokens::random_token().map_err(ApiKeyError::Random)?;
    let key = format!("{KEY_PREFIX}{secret}");
    let row = ApiKeyRow {
        id: Uuid::new_v4().to_string(),
        name: name.to_owned(),
        unit_code: unit_code.to_owned(),
        key_hash: tokens::digest(&key),
        created_by: Some(caller.id.clone()),
        created_at: crate::clock::now(),
        last_used_at: None,
        revoked_at: None,
    };
    conn.transaction(|conn| {
        queries::insert(conn, &row)?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            AuditAction::ApiKeyCreate,
            (ObjectKind::ApiKey, &row.id),
            Some(&row.unit_code),
            format!("issued key {:?}", row.name),
        )
    })?;
    Ok((row, key))
}

/// Revokes a key of a unit in the caller's scope; it stops working at once. Revoking a
/// revoked key is fine.
pub fn revoke(conn: &mut DbConn, caller: &AuthUser, id: &str) -> Result<(), ApiKeyError> {
    let key = queries::find(conn, id)?.ok_or(ApiKeyError::NotFound)?;
    if !crate::units::in_scope(conn, &caller.scope, &key.unit_code)? {
        return Err(ApiKeyError::NotFound);
    }
    conn.transaction(|conn| {
        queries::revoke(conn, &key.id, crate::clock::now())?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            AuditAction::ApiKeyRevoke,
            (ObjectKind::ApiKey, &key.id),
            Some(&key.unit_code),
            "revoked",
        )
    })?;
    Ok(())
}

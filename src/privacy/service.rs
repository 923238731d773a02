//! The rules of look-up and erasure: who may (an admin everywhere, a province supervisor in
//! the province), what is found (records linked to the number's keyed hash, in scope), and
//! how a link is erased without moving a count.

use diesel::Connection;

use super::queries::{self, HeldRow};
use crate::access::{AuthUser, Role};
use crate::config::Secret;
use crate::db::{DbConn, DbError};
use crate::error::FieldError;
use crate::messages as msg;
use crate::records::citizen;

/// Longest reason for an erasure.
pub const REASON_MAX: usize = 500;

/// Why a privacy request was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    /// Fields break the rules (the number is never echoed).
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// Not an admin or a province supervisor.
    #[error("not a privacy officer")]
    NotAllowed,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DbError),
}

crate::db::domain_error!(PrivacyError);

/// What the functions here return.
pub type PrivacyResult<T> = Result<T, PrivacyError>;

/// The keyed hash of a well-formed number, for a caller who may ask.
fn reference(
    caller: &AuthUser,
    key: &Secret,
    citizen_id: &str,
    mut errors: Vec<FieldError>,
) -> PrivacyResult<String> {
    if caller.role < Role::ProvinceSupervisor {
        return Err(PrivacyError::NotAllowed);
    }
    errors.extend(citizen::check_form(citizen_id));
    if !errors.is_empty() {
        return Err(PrivacyError::Invalid(errors));
    }
    Ok(citizen::citizen_ref(key, citizen_id))
}

/// The records held about a resident in the caller's scope, oldest first; audited without
/// the number. Nothing found is an empty list, whether or not the resident is known
/// elsewhere.
pub fn lookup(
    conn: &mut DbConn,
    caller: &AuthUser,
    key: &Secret,
    citizen_id: &str,
) -> PrivacyResult<Vec<HeldRow>> {
    let found = reference(caller, key, citizen_id, Vec::new())?;
    conn.transaction(|conn| {
        let held = queries::held(conn, &found, &caller.scope)?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            crate::audit::AuditAction::PrivacyLookup,
            (crate::audit::ObjectKind::Resident, "-"),
            caller.unit_code.as_deref(),
            format!("looked up a resident: {} records in scope", held.len()),
        )?;
        Ok(held)
    })
}

/// Erases a resident's link in the caller's scope: each record's keyed hash (and the
/// fingerprint made from it) is replaced by one random unlinked reference, so nothing can
/// match them again and duplicate detection stops; the statistics' citizen number moves
/// with them, so every count stays (see `docs/PRIVACY.md` for a resident also known outside
/// the scope). Returns how many records lost their link; audited with the reason.
pub fn erase(
    conn: &mut DbConn,
    caller: &AuthUser,
    key: &Secret,
    citizen_id: &str,
    reason: &str,
) -> PrivacyResult<usize> {
    let reason = reason.trim();
    let mut errors = Vec::new();
    if reason.is_empty() || reason.chars().count() > REASON_MAX {
        errors.push(FieldError::new(
            "reason",
            "length",
            msg::length(1, REASON_MAX),
        ));
    }
    let found = reference(caller, key, citizen_id, errors)?;
    conn.transaction(|conn| {
        // The resident's records: those holding the hash, and those whose link expired
        // (they hold the resident's statistics number, see `retention`).
        let number = queries::citizen_number(conn, &found)?;
        let expired = number.map(|n| format!("{}{n}", citizen::UNLINKED));
        let mut ids = Vec::new();
        let mut elsewhere = false;
        for linked in std::iter::once(&found).chain(expired.as_ref()) {
            ids.extend(
                queries::held(conn, linked, &caller.scope)?
                    .into_iter()
                    .map(|r| r.id),
            );
            elsewhere |= queries::held_elsewhere(conn, linked, &caller.scope)?;
        }
        let unlinked = citizen::unlinked_ref();
        if !ids.is_empty()
            && let Some(number) = number
        {
            if elsewhere {
                // The records outside keep the old number; the scope's get a new one.
                let fresh = queries::new_citizen(conn, &unlinked)?;
                crate::stats::spans::around_move(conn, number, fresh, |conn| {
                    queries::move_rollups(conn, number, fresh, &caller.scope)
                })?;
            } else {
                queries::rekey_citizen(conn, number, &unlinked)?;
            }
        }
        let erased = queries::unlink(conn, &ids, &unlinked)?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            crate::audit::AuditAction::PrivacyErase,
            (crate::audit::ObjectKind::Resident, "-"),
            caller.unit_code.as_deref(),
            format!("erased a resident's link from {erased} records: {reason}"),
        )?;
        Ok(erased)
    })
}

//! A resident's right to be forgotten, for a household: its address goes (in every version
//! too) and its label is replaced, while every count stays. The retention sweep clears the
//! addresses of households closed longer than the retention period the same way.

use chrono::NaiveDateTime;
use diesel::Connection;
use serde_json::Value;

use super::model::{Household, VersionRow};
use super::queries;
use super::service::{HouseholdError, readable, view};
use crate::access::AuthUser;
use crate::access::roles::Role;
use crate::audit::{AuditAction, ObjectKind};
use crate::db::DbConn;
use crate::error::FieldError;
use crate::messages as msg;

/// The label an erased household gets: unique, and saying nothing.
pub fn erased_label(id: &str) -> String {
    format!("xoa-{}", id.chars().take(8).collect::<String>())
}

/// Rewrites the stored changes of a household's versions without its address (and, with
/// `label`, with that label for every label it had).
fn scrub(changes: &str, label: Option<&str>) -> String {
    let Ok(Value::Object(mut fields)) = serde_json::from_str::<Value>(changes) else {
        return changes.to_owned();
    };
    if let Some(pair) = fields.get_mut("address") {
        *pair = Value::Array(vec![Value::Null, Value::Null]);
    }
    if let (Some(label), Some(Value::Array(pair))) = (label, fields.get_mut("label")) {
        for v in pair.iter_mut().filter(|v| !v.is_null()) {
            *v = Value::String(label.to_owned());
        }
    }
    Value::Object(fields).to_string()
}

fn scrub_history(conn: &mut DbConn, id: &str, label: Option<&str>) -> diesel::QueryResult<()> {
    for v in queries::versions_after(conn, id, 0)? {
        let clean = scrub(&v.changes, label);
        if clean != v.changes {
            queries::set_version_changes(conn, id, v.version, &clean)?;
        }
    }
    Ok(())
}

/// Erases a household's address and label (admin, or a province supervisor in scope):
/// counts do not move. Audited with the reason.
pub fn erase(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    reason: &str,
) -> Result<Household, HouseholdError> {
    if !matches!(caller.role, Role::Admin | Role::ProvinceSupervisor) {
        return Err(HouseholdError::Forbidden(msg::PRIVACY_OFFICERS_ONLY));
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(HouseholdError::Invalid(vec![FieldError::new(
            "reason",
            "length",
            msg::length(1, 500),
        )]));
    }
    conn.transaction(|conn| {
        let (stored, _) = readable(conn, caller, id)?;
        let now = crate::clock::now();
        let stamp = crate::db::change_stamp(conn)?;
        let label = erased_label(id);
        let mut next = stored.clone();
        next.address = None;
        next.label_key = label.clone();
        next.label = label.clone();
        next.version = stored.version + 1;
        next.updated_at = now;
        next.change_stamp = stamp;
        if !queries::update_if_version(conn, &next, stored.version)? {
            return Err(HouseholdError::Closed);
        }
        scrub_history(conn, id, Some(&label))?;
        queries::insert_version(
            conn,
            &VersionRow {
                household_id: id.to_owned(),
                version: next.version,
                changed_at: now,
                changed_by: caller.id.clone(),
                observed_at: now,
                changes: serde_json::json!({"erased": [null, true]}).to_string(),
                hamlet_code: next.hamlet_code.clone(),
                is_open: next.is_open(),
                criteria_true: next.criteria_true,
            },
        )?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            AuditAction::HouseholdErase,
            (ObjectKind::Household, id),
            Some(&next.commune_code),
            format!("erased a household's address and label: {reason}"),
        )?;
        Ok(view(conn, next)?)
    })
}

/// Clears the addresses of households closed before `before`, in their history too;
/// returns how many.
pub fn expire_addresses(conn: &mut DbConn, before: NaiveDateTime) -> diesel::QueryResult<usize> {
    let mut total = 0;
    loop {
        let n = conn.transaction(|conn| {
            let ids = queries::closed_with_address(conn, before)?;
            for id in &ids {
                queries::clear_address(conn, id)?;
                scrub_history(conn, id, None)?;
            }
            Ok::<_, diesel::result::Error>(ids.len())
        })?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
    }
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn the_history_keeps_its_shape_without_the_address() {
        let changes = r#"{"address":[null,"Số 12"],"label":["A-1","A-2"],"members":[3,4]}"#;
        let clean: serde_json::Value =
            serde_json::from_str(&scrub(changes, Some("xoa-1"))).unwrap();
        assert_eq!(
            clean,
            serde_json::json!({"address": [null, null], "label": ["xoa-1", "xoa-1"], "members": [3, 4]})
        );
        assert_eq!(scrub("not json", None), "not json");
    }
}

//! Changing and closing a household, from a phone that may have been offline. A change names
//! the version it was made on (`base_version`); when others changed the household since,
//! each field both changed keeps the value observed later, and every version is kept, so
//! nothing a volunteer saw is lost.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use diesel::Connection;
use serde_json::{Value, json};

use super::model::{CloseReason, Criterion, Household, HouseholdRow, VersionRow};
use super::queries;
use super::service::{
    HouseholdError, check_access, check_address, check_label, check_people, invalid, label_key,
    observed, place, readable, view,
};
use crate::access::AuthUser;
use crate::audit::{AuditAction, ObjectKind};
use crate::db::DbConn;
use crate::error::FieldError;
use crate::messages as msg;

/// One field a change sets.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Moves it to another hamlet (and confirms its placement).
    Hamlet(String),
    /// A new label.
    Label(String),
    /// A new address, or none.
    Address(Option<String>),
    /// Members.
    Members(i32),
    /// Adults.
    Adults(i32),
    /// One criterion.
    Criterion(Criterion, Option<bool>),
}

impl Edit {
    /// The field's name in the history and in `conflicts`.
    pub fn name(&self) -> String {
        match self {
            Self::Hamlet(_) => "hamlet_code".into(),
            Self::Label(_) => "label".into(),
            Self::Address(_) => "address".into(),
            Self::Members(_) => "members".into(),
            Self::Adults(_) => "adults".into(),
            Self::Criterion(c, _) => format!("criteria.{c}"),
        }
    }

    fn value(&self) -> Value {
        match self {
            Self::Hamlet(v) | Self::Label(v) => json!(v),
            Self::Address(v) => json!(v),
            Self::Members(v) | Self::Adults(v) => json!(v),
            Self::Criterion(_, v) => json!(v),
        }
    }

    fn current(&self, row: &HouseholdRow) -> Value {
        match self {
            Self::Hamlet(_) => json!(row.hamlet_code),
            Self::Label(_) => json!(row.label),
            Self::Address(_) => json!(row.address),
            Self::Members(_) => json!(row.members),
            Self::Adults(_) => json!(row.adults),
            Self::Criterion(c, _) => json!(row.criteria().get(*c)),
        }
    }

    fn apply(&self, row: &mut HouseholdRow) {
        match self {
            Self::Hamlet(v) => row.hamlet_code = v.clone(),
            Self::Label(v) => {
                row.label = v.clone();
                row.label_key = label_key(v);
            }
            Self::Address(v) => row.address = v.clone(),
            Self::Members(v) => row.members = *v,
            Self::Adults(v) => row.adults = *v,
            Self::Criterion(c, v) => {
                let mut criteria = row.criteria();
                criteria.set(*c, *v);
                (row.criteria_true, row.criteria_known) = criteria.masks();
            }
        }
    }
}

/// A change as a phone sends it.
#[derive(Debug, Clone)]
pub struct Change {
    /// The version the phone changed.
    pub base_version: i32,
    /// When the volunteer saw it (`None`: now).
    pub observed_at: Option<DateTime<FixedOffset>>,
    /// The fields set.
    pub edits: Vec<Edit>,
}

/// What a change did.
#[derive(Debug)]
pub struct Changed {
    /// The household now.
    pub household: Household,
    /// Whether a new version was stored.
    pub updated: bool,
    /// The change was made on an older version and merged.
    pub merged: bool,
    /// Fields changed by others since `base_version` and sent again.
    pub conflicts: Vec<String>,
}

/// Fields changed after `base`, each with the latest observation that changed it.
fn changed_since(
    conn: &mut DbConn,
    id: &str,
    base: i32,
) -> diesel::QueryResult<HashMap<String, NaiveDateTime>> {
    let mut out: HashMap<String, NaiveDateTime> = HashMap::new();
    for v in queries::versions_after(conn, id, base)? {
        if let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(&v.changes) {
            for field in fields.keys() {
                let at = out.entry(field.clone()).or_insert(v.observed_at);
                *at = (*at).max(v.observed_at);
            }
        }
    }
    Ok(out)
}

/// Checks a change's fields on their own (bounds, lengths), normalising them.
fn checked_edits(edits: Vec<Edit>) -> Result<Vec<Edit>, HouseholdError> {
    let mut errors = Vec::new();
    let edits = edits
        .into_iter()
        .map(|e| match e {
            Edit::Label(l) => Edit::Label(check_label("label", &l, &mut errors)),
            Edit::Address(a) => Edit::Address(check_address(a.as_deref(), &mut errors)),
            Edit::Members(m) if !(1..=super::service::MEMBERS_MAX).contains(&m) => {
                errors.push(FieldError::new(
                    "members",
                    "out_of_range",
                    msg::range(1, super::service::MEMBERS_MAX),
                ));
                e
            }
            Edit::Adults(a) if !(0..=super::service::MEMBERS_MAX).contains(&a) => {
                errors.push(FieldError::new(
                    "adults",
                    "out_of_range",
                    msg::range(0, super::service::MEMBERS_MAX),
                ));
                e
            }
            other => other,
        })
        .collect();
    if errors.is_empty() {
        Ok(edits)
    } else {
        Err(HouseholdError::Invalid(errors))
    }
}

/// Applies a change, merging it field by field when it was made on an older version.
/// A change that sets nothing new stores nothing. Audited when it stores a version.
pub fn update(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    change: Change,
) -> Result<Changed, HouseholdError> {
    if change.base_version < 1 {
        return Err(invalid(
            "base_version",
            "out_of_range",
            msg::range(1, i32::MAX),
        ));
    }
    let mut edits = checked_edits(change.edits)?;
    conn.transaction(|conn| {
        // A hamlet named is followed to where it went, and must be one the caller works in.
        let mut placed = false;
        for e in &mut edits {
            if let Edit::Hamlet(code) = e {
                let (target, split) = place(conn, "hamlet_code", code)?;
                check_access(conn, caller, &target)?;
                *code = target.code;
                placed = !split;
            }
        }
        // Another writer between our read and our write (PostgreSQL) makes us merge again.
        for _ in 0..10 {
            let (stored, _) = readable(conn, caller, id)?;
            if stored.closed_at.is_some() {
                return Err(HouseholdError::Closed);
            }
            if change.base_version > stored.version {
                return Err(invalid(
                    "base_version",
                    "future_version",
                    msg::FUTURE_VERSION,
                ));
            }
            let now = crate::clock::now();
            let seen = observed(change.observed_at, now);
            let merged = change.base_version < stored.version;
            let since = if merged {
                changed_since(conn, id, change.base_version)?
            } else {
                HashMap::new()
            };
            let mut next = stored.clone();
            let mut changes = serde_json::Map::new();
            let mut conflicts = Vec::new();
            for e in &edits {
                let (old, new) = (e.current(&next), e.value());
                if old == new {
                    continue;
                }
                let name = e.name();
                if let Some(theirs) = since.get(&name) {
                    conflicts.push(name.clone());
                    if seen <= *theirs {
                        continue;
                    }
                }
                e.apply(&mut next);
                changes.insert(name, json!([old, new]));
            }
            if placed && next.needs_placement {
                changes.insert("needs_placement".into(), json!([true, false]));
                next.needs_placement = false;
            }
            conflicts.sort();
            if changes.is_empty() {
                return Ok(Changed {
                    household: view(conn, stored)?,
                    updated: false,
                    merged,
                    conflicts,
                });
            }
            let mut errors = Vec::new();
            check_people(next.members, next.adults, &mut errors);
            if !errors.is_empty() {
                return Err(HouseholdError::Invalid(errors));
            }
            let relabelled =
                next.label_key != stored.label_key || next.hamlet_code != stored.hamlet_code;
            if relabelled
                && let Some(other) =
                    queries::open_with_label(conn, &next.hamlet_code, &next.label_key)?
                        .filter(|o| o != id)
            {
                return Err(HouseholdError::DuplicateLabel(other));
            }
            let stamp = crate::db::change_stamp(conn)?;
            next.version = stored.version + 1;
            next.observed_at = stored.observed_at.max(seen);
            next.updated_at = now;
            next.change_stamp = stamp;
            if !queries::update_if_version(conn, &next, stored.version)? {
                continue;
            }
            if next.hamlet_code != stored.hamlet_code {
                super::share::left_hamlet(
                    conn,
                    id,
                    &stored.hamlet_code,
                    Some(&next.hamlet_code),
                    stamp,
                )?;
            }
            store_version(conn, caller, &next, seen, changes, now)?;
            super::tally::apply(conn, &[(stored.placed(), next.placed())], now)?;
            return Ok(Changed {
                household: view(conn, next)?,
                updated: true,
                merged,
                conflicts,
            });
        }
        Err(HouseholdError::Database(
            diesel::result::Error::RollbackTransaction.into(),
        ))
    })
}

fn store_version(
    conn: &mut DbConn,
    caller: &AuthUser,
    row: &HouseholdRow,
    seen: NaiveDateTime,
    changes: serde_json::Map<String, Value>,
    now: NaiveDateTime,
) -> Result<(), HouseholdError> {
    let fields: Vec<&str> = changes.keys().map(String::as_str).collect();
    let summary = format!("household version {}: {}", row.version, fields.join(", "));
    queries::insert_version(
        conn,
        &VersionRow {
            household_id: row.id.clone(),
            version: row.version,
            changed_at: now,
            changed_by: caller.id.clone(),
            observed_at: seen,
            changes: Value::Object(changes).to_string(),
            hamlet_code: row.hamlet_code.clone(),
            is_open: row.closed_at.is_none(),
            criteria_true: row.criteria_true,
        },
    )?;
    let action = if row.closed_at.is_some() {
        AuditAction::HouseholdClose
    } else {
        AuditAction::HouseholdUpdate
    };
    crate::audit::record(
        conn,
        Some(&caller.id),
        action,
        (ObjectKind::Household, &row.id),
        Some(&row.commune_code),
        summary,
    )?;
    Ok(())
}

/// Closes a household: it counts nowhere after, stays readable, and leaves its teams'
/// phones. `duplicate_of` (only with `duplicate`) names another open household of the
/// commune. Audited.
pub fn close(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    reason: CloseReason,
    duplicate_of: Option<String>,
) -> Result<Household, HouseholdError> {
    conn.transaction(|conn| {
        let (stored, _) = readable(conn, caller, id)?;
        if stored.closed_at.is_some() {
            return Err(HouseholdError::Closed);
        }
        match (reason, &duplicate_of) {
            (CloseReason::Duplicate, None) => {
                return Err(invalid(
                    "duplicate_of",
                    "required",
                    msg::DUPLICATE_OF_REQUIRED,
                ));
            }
            (CloseReason::Duplicate, Some(other)) => {
                let kept = queries::find(conn, other)?;
                let ok = kept.is_some_and(|k| {
                    k.id != stored.id && k.is_open() && k.commune_code == stored.commune_code
                });
                if !ok {
                    return Err(invalid(
                        "duplicate_of",
                        "not_an_open_household",
                        msg::NOT_AN_OPEN_HOUSEHOLD,
                    ));
                }
            }
            (_, Some(_)) => {
                return Err(invalid(
                    "duplicate_of",
                    "only_with_duplicate",
                    msg::DUPLICATE_OF_ONLY,
                ));
            }
            (_, None) => {}
        }
        let now = crate::clock::now();
        let stamp = crate::db::change_stamp(conn)?;
        let mut next = stored.clone();
        next.closed_reason = Some(reason);
        next.duplicate_of = duplicate_of;
        next.closed_at = Some(now);
        next.version = stored.version + 1;
        next.updated_at = now;
        next.change_stamp = stamp;
        if !queries::update_if_version(conn, &next, stored.version)? {
            return Err(HouseholdError::Closed);
        }
        super::share::left_hamlet(conn, id, &stored.hamlet_code, None, stamp)?;
        let mut changes = serde_json::Map::new();
        changes.insert("closed".into(), json!([null, reason]));
        if let Some(other) = &next.duplicate_of {
            changes.insert("duplicate_of".into(), json!([null, other]));
        }
        store_version(conn, caller, &next, now, changes, now)?;
        super::tally::apply(conn, &[(stored.placed(), None)], now)?;
        Ok(view(conn, next)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_criterion_is_a_field_of_its_own() {
        assert_eq!(
            Edit::Criterion(Criterion::Internet, Some(true)).name(),
            "criteria.internet"
        );
        assert_eq!(Edit::Members(3).name(), "members");
    }

    #[test]
    fn bounds_are_checked_before_anything_is_read() {
        let err = checked_edits(vec![
            Edit::Members(0),
            Edit::Adults(51),
            Edit::Label("   ".into()),
        ])
        .unwrap_err();
        let HouseholdError::Invalid(errors) = err else {
            panic!("expected invalid");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["members", "adults", "label"]);
    }
}

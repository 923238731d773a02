//! The rules of certified periods: who may certify, accept, return and reopen, from which
//! state, the snapshot taken in the transaction that stores the certification, and the
//! audit of every step.

use diesel::Connection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::model::{Certification, CertificationRow, CertificationStatus, NOTE_MAX};
use super::queries::{self, Transition};
use crate::access::{AuthUser, Role};
use crate::db::{DbConn, DbError};
use crate::error::FieldError;
use crate::messages as msg;
use crate::periods::Period;
use crate::stats::model::Metrics;
use crate::stats::queries::{Filter, GroupBy, UnitFilter};

/// Why a certification request was refused or failed; `certifications::handlers` says what
/// each means on the wire.
#[derive(Debug, thiserror::Error)]
pub enum CertificationError {
    /// Fields break the rules; every failing field is listed.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// No such certification the caller may read.
    #[error("no such certification")]
    NotFound,
    /// No such unit in the caller's scope.
    #[error("no such unit")]
    UnitNotFound,
    /// Volunteers do not certify.
    #[error("not a certifier")]
    NotACertifier,
    /// Only a province supervisor or an admin decides.
    #[error("not a decider")]
    NotADecider,
    /// Volunteers do not read certifications.
    #[error("not a reader")]
    NotAReader,
    /// The commune already has a live certification for the period.
    #[error("a live certification exists")]
    Exists,
    /// Accept and return need a submitted certification.
    #[error("not submitted")]
    NotSubmitted,
    /// Reopen needs an accepted certification.
    #[error("not accepted")]
    NotAccepted,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DbError),
}

crate::db::domain_error!(CertificationError);

/// What the functions here return.
pub type CertificationResult<T> = Result<T, CertificationError>;

/// A commune's figures to certify.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The commune.
    pub unit_code: String,
    /// `YYYY-MM` or `YYYY-Www`.
    pub period: String,
    /// Optional note.
    pub note: Option<String>,
}

/// A province's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The figures stand: the period locks.
    Accept,
    /// Back to the commune, with a note.
    Return,
    /// An accepted period opens again, with a reason.
    Reopen,
}

fn trimmed_note(errors: &mut Vec<FieldError>, field: &str, note: Option<String>) -> Option<String> {
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > NOTE_MAX) {
        errors.push(FieldError::new(
            field,
            "too_long",
            msg::at_most_chars(NOTE_MAX),
        ));
    }
    note
}

/// Every metric of a commune over some days, counted now.
pub fn metrics_of(
    conn: &mut DbConn,
    commune: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> diesel::QueryResult<Metrics> {
    let filter = Filter {
        unit: UnitFilter::Commune(commune.to_owned()),
        teams: None,
        from,
        to,
        approved_only: false,
    };
    let tallies = crate::stats::queries::tally(conn, &filter, GroupBy::Nothing)?;
    let mut metrics = tallies.get("").map(Metrics::from).unwrap_or_default();
    crate::stats::households::add_to(conn, &filter, &mut metrics)?;
    Ok(metrics)
}

/// The `certification.changed` webhook event of a new state.
fn announce(conn: &mut DbConn, shown: &Certification) -> diesel::QueryResult<()> {
    crate::outbox::enqueue(
        conn,
        &[crate::outbox::Event {
            kind: crate::outbox::EventType::CertificationChanged,
            unit_code: shown.unit_code.clone(),
            data: serde_json::to_value(shown).unwrap_or_default(),
        }],
    )
}

fn unit_name(conn: &mut DbConn, code: &str) -> diesel::QueryResult<String> {
    Ok(crate::units::queries::find(conn, code)?.map_or_else(|| code.to_owned(), |u| u.name))
}

/// Certifies a commune's finished period: a supervisor in scope (commune, province or
/// admin), with the snapshot of every metric taken in the transaction that stores it.
pub fn submit(
    conn: &mut DbConn,
    caller: &AuthUser,
    input: Submission,
) -> CertificationResult<Certification> {
    if !caller.role.is_supervisor() {
        return Err(CertificationError::NotACertifier);
    }
    let unit = crate::units::queries::find(conn, &input.unit_code)?
        .filter(|u| {
            caller
                .scope
                .contains(Some(&u.code), u.parent_code.as_deref())
        })
        .ok_or(CertificationError::UnitNotFound)?;
    let mut errors = Vec::new();
    if unit.kind.is_province() {
        errors.push(FieldError::new(
            "unit_code",
            "not_a_commune",
            msg::CERTIFY_A_COMMUNE,
        ));
    }
    let period = Period::parse(&input.period);
    match period {
        None => errors.push(FieldError::new(
            "period",
            "invalid_period",
            msg::INVALID_PERIOD,
        )),
        Some(p) if !p.ended(crate::periods::today()) => errors.push(FieldError::new(
            "period",
            "not_ended",
            msg::PERIOD_NOT_ENDED,
        )),
        Some(_) => {}
    }
    let note = trimmed_note(&mut errors, "note", input.note);
    let Some(period) = period.filter(|_| errors.is_empty()) else {
        return Err(CertificationError::Invalid(errors));
    };
    let (from, to) = period.days();
    conn.transaction::<_, CertificationError, _>(|conn| {
        let now = crate::clock::now();
        let metrics = metrics_of(conn, &unit.code, from, to)?;
        let row = CertificationRow {
            id: uuid::Uuid::new_v4().to_string(),
            unit_code: unit.code.clone(),
            period,
            from_day: from,
            to_day: to,
            status: CertificationStatus::Submitted,
            metrics: serde_json::to_string(&metrics).map_err(|e| DbError::Internal(e.into()))?,
            note,
            submitted_by: caller.id.clone(),
            submitted_at: now,
            decided_by: None,
            decided_at: None,
            decision_note: None,
            reopened_by: None,
            reopened_at: None,
            reopen_reason: None,
            updated_at: now,
        };
        match queries::insert(conn, &row) {
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                return Err(CertificationError::Exists);
            }
            other => other?,
        }
        crate::audit::record(
            conn,
            Some(&caller.id),
            crate::audit::AuditAction::CertificationSubmit,
            (crate::audit::ObjectKind::Certification, &row.id),
            Some(&row.unit_code),
            format!("certified {} for {}", row.unit_code, row.period),
        )?;
        let shown = Certification::new(row, unit.name.clone());
        announce(conn, &shown)?;
        Ok(shown)
    })
}

/// A certification the caller may read: a supervisor or a dashboard key whose scope holds
/// the commune. Volunteers read none (403); outside the scope is 404.
pub fn readable(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
) -> CertificationResult<CertificationRow> {
    if !caller.role.is_supervisor() {
        return Err(CertificationError::NotAReader);
    }
    let row = queries::find(conn, id)?.ok_or(CertificationError::NotFound)?;
    if !crate::units::in_scope(conn, &caller.scope, &row.unit_code)? {
        return Err(CertificationError::NotFound);
    }
    Ok(row)
}

/// One certification with the same metrics now and the changes since its snapshot.
pub fn detail(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
) -> CertificationResult<Certification> {
    let row = readable(conn, caller, id)?;
    let live = metrics_of(conn, &row.unit_code, row.from_day, row.to_day)?;
    let changes = queries::changes_since(
        conn,
        &row.unit_code,
        (row.from_day, row.to_day),
        row.submitted_at,
    )?;
    let name = unit_name(conn, &row.unit_code)?;
    let mut shown = Certification::new(row, name);
    shown.live_metrics = Some(live);
    shown.changes_since = Some(changes);
    Ok(shown)
}

/// Certifications in the caller's scope, with their units' names.
pub fn shown(
    conn: &mut DbConn,
    rows: Vec<CertificationRow>,
) -> CertificationResult<Vec<Certification>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let name = unit_name(conn, &row.unit_code)?;
        out.push(Certification::new(row, name));
    }
    Ok(out)
}

/// Accepts, returns or reopens: a province supervisor in scope or an admin, from the one
/// state each allows; a return needs a note and a reopening a reason.
pub fn decide(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    decision: Decision,
    note: Option<String>,
) -> CertificationResult<Certification> {
    let row = readable(conn, caller, id)?;
    if caller.role < Role::ProvinceSupervisor {
        return Err(CertificationError::NotADecider);
    }
    let mut errors = Vec::new();
    let field = if decision == Decision::Reopen {
        "reason"
    } else {
        "note"
    };
    let note = trimmed_note(&mut errors, field, note);
    match decision {
        Decision::Return if note.is_none() => errors.push(FieldError::new(
            "note",
            "required",
            msg::RETURN_NOTE_REQUIRED,
        )),
        Decision::Reopen if note.is_none() => errors.push(FieldError::new(
            "reason",
            "required",
            msg::REOPEN_REASON_REQUIRED,
        )),
        _ => {}
    }
    if !errors.is_empty() {
        return Err(CertificationError::Invalid(errors));
    }
    let (from, to, wrong_state, action) = match decision {
        Decision::Accept => (
            CertificationStatus::Submitted,
            CertificationStatus::Accepted,
            CertificationError::NotSubmitted,
            crate::audit::AuditAction::CertificationAccept,
        ),
        Decision::Return => (
            CertificationStatus::Submitted,
            CertificationStatus::Returned,
            CertificationError::NotSubmitted,
            crate::audit::AuditAction::CertificationReturn,
        ),
        Decision::Reopen => (
            CertificationStatus::Accepted,
            CertificationStatus::Reopened,
            CertificationError::NotAccepted,
            crate::audit::AuditAction::CertificationReopen,
        ),
    };
    conn.transaction::<_, CertificationError, _>(|conn| {
        let moved = queries::transition(
            conn,
            &Transition {
                id: &row.id,
                from,
                to,
                by: &caller.id,
                note: note.as_deref(),
                at: crate::clock::now(),
            },
        )?;
        if !moved {
            return Err(wrong_state);
        }
        crate::audit::record(
            conn,
            Some(&caller.id),
            action,
            (crate::audit::ObjectKind::Certification, &row.id),
            Some(&row.unit_code),
            format!("{} {} for {}", to, row.unit_code, row.period),
        )?;
        let after = queries::find(conn, &row.id)?.ok_or(CertificationError::NotFound)?;
        let name = unit_name(conn, &after.unit_code)?;
        let shown = Certification::new(after, name);
        announce(conn, &shown)?;
        Ok(shown)
    })
}

//! Diesel queries of certifications.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{CertificationRow, CertificationStatus};
use crate::access::Scope;
use crate::db::{DbConn, dialect};
use crate::schema::{certifications, records, units};

/// Stores a new certification; a second live one of the commune and period breaks the
/// `certifications_live` index (a unique violation).
pub fn insert(conn: &mut DbConn, row: &CertificationRow) -> QueryResult<()> {
    let row = row.clone();
    dialect::execute(conn, diesel::insert_into(certifications::table).values(row)).map(|_| ())
}

/// One certification.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<CertificationRow>> {
    certifications::table
        .find(id)
        .select(CertificationRow::as_select())
        .first(conn)
        .optional()
}

/// What a list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// One commune, or the communes of a province.
    pub unit: Option<String>,
    /// One period.
    pub period: Option<String>,
    /// One state.
    pub status: Option<CertificationStatus>,
}

/// Certifications in `scope`, newest first by `(submitted_at, id)`.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    filter: &ListFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<CertificationRow>> {
    let communes_of = |p: String| {
        units::table
            .select(units::code)
            .filter(units::parent_code.eq(p))
    };
    let mut query = certifications::table
        .select(CertificationRow::as_select())
        .into_boxed();
    match scope {
        Scope::National => {}
        Scope::Province(p) => {
            query = query.filter(certifications::unit_code.eq_any(communes_of(p.clone())))
        }
        Scope::Commune(c) => query = query.filter(certifications::unit_code.eq(c.clone())),
    }
    if let Some(unit) = &filter.unit {
        query = query.filter(
            certifications::unit_code
                .eq(unit.clone())
                .or(certifications::unit_code.eq_any(communes_of(unit.clone()))),
        );
    }
    if let Some(period) = &filter.period {
        query = query.filter(certifications::period.eq(period.clone()));
    }
    if let Some(status) = filter.status {
        query = query.filter(certifications::status.eq(status));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            certifications::submitted_at
                .lt(at)
                .or(certifications::submitted_at
                    .eq(at)
                    .and(certifications::id.lt(id))),
        );
    }
    query
        .order((
            certifications::submitted_at.desc(),
            certifications::id.desc(),
        ))
        .limit(limit)
        .load(conn)
}

/// A state change, if the certification is still in `from`; `false` when it no longer is.
pub struct Transition<'a> {
    /// The certification.
    pub id: &'a str,
    /// The state it must be in.
    pub from: CertificationStatus,
    /// The state it goes to.
    pub to: CertificationStatus,
    /// Who.
    pub by: &'a str,
    /// The note or reason.
    pub note: Option<&'a str>,
    /// When.
    pub at: NaiveDateTime,
}

/// Applies a transition: accept or return write the decision, reopen the reopening.
pub fn transition(conn: &mut DbConn, t: &Transition) -> QueryResult<bool> {
    let target = certifications::table
        .find(t.id)
        .filter(certifications::status.eq(t.from));
    let n = if t.to == CertificationStatus::Reopened {
        diesel::update(target)
            .set((
                certifications::status.eq(t.to),
                certifications::reopened_by.eq(t.by),
                certifications::reopened_at.eq(t.at),
                certifications::reopen_reason.eq(t.note),
                certifications::updated_at.eq(t.at),
            ))
            .execute(conn)?
    } else {
        diesel::update(target)
            .set((
                certifications::status.eq(t.to),
                certifications::decided_by.eq(t.by),
                certifications::decided_at.eq(t.at),
                certifications::decision_note.eq(t.note),
                certifications::updated_at.eq(t.at),
            ))
            .execute(conn)?
    };
    Ok(n == 1)
}

/// The commune's records of the period created or changed (content, review or void)
/// after `since`.
pub fn changes_since(
    conn: &mut DbConn,
    commune: &str,
    (from, to): (NaiveDate, NaiveDate),
    since: NaiveDateTime,
) -> QueryResult<i64> {
    records::table
        .filter(records::commune_code.eq(commune))
        .filter(records::occurred_on.between(from, to))
        .filter(
            records::received_at
                .gt(since)
                .or(records::updated_at.gt(since))
                .or(records::reviewed_at.gt(since))
                .or(records::voided_at.gt(since)),
        )
        .count()
        .get_result(conn)
}

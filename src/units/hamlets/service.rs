//! Hamlet rules: who may change a commune's hamlets, creating and renaming them, and
//! `gocua import-hamlets` (the rearrangements are `rearrangements`). Each change runs in one transaction with its audit
//! entry, holding the commune's row lock so that numbers, names and closings of one
//! commune change one at a time.

use std::collections::HashSet;

use chrono::{Days, NaiveDate};
use diesel::Connection;

use super::model::{HamletRow, Lineage};
use super::queries;
use crate::access::AuthUser;
use crate::access::roles::Role;
use crate::audit::{AuditAction, ObjectKind};
use crate::db::{DbConn, DbError, dialect};
use crate::error::FieldError;
use crate::messages as msg;
use crate::units::model::{Unit, UnitKind, UnitLevel, UnitRow};

/// Why a change to hamlets was refused.
#[derive(Debug, thiserror::Error)]
pub enum HamletError {
    /// No such commune or hamlet in the caller's scope (a 404).
    #[error("no such unit in the caller's scope")]
    NotFound,
    /// The caller's role may not change hamlets.
    #[error("the role may not change hamlets")]
    Forbidden,
    /// Fields break the rules; every failing field is listed.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// An open hamlet of the commune has that name.
    #[error("the commune already has a hamlet of this name")]
    NameTaken,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DbError),
}

crate::db::domain_error!(HamletError);

pub(super) fn invalid(
    field: impl Into<String>,
    code: &str,
    message: crate::messages::Text,
) -> HamletError {
    HamletError::Invalid(vec![FieldError::new(field, code, message)])
}

/// A name taken among the commune's open hamlets (the unique index) is
/// [`HamletError::NameTaken`].
pub(super) fn name_taken(e: diesel::result::Error) -> HamletError {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => HamletError::NameTaken,
        other => other.into(),
    }
}

/// The first and last day a hamlet's dates may name: the map's history and a year ahead.
pub fn date_bounds(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN);
    (
        first,
        today.checked_add_days(Days::new(366)).unwrap_or(today),
    )
}

pub(super) fn check_date(
    field: &str,
    day: NaiveDate,
    today: NaiveDate,
    errors: &mut Vec<FieldError>,
) {
    let (first, last) = date_bounds(today);
    if day < first || day > last {
        errors.push(FieldError::new(
            field,
            "out_of_range",
            msg::range(first, last),
        ));
    }
}

/// A hamlet's kind must be one of the hamlet kinds (`thon` … `khu-dan-cu`).
pub(super) fn check_kind(field: &str, kind: UnitKind, errors: &mut Vec<FieldError>) {
    if kind.level() != UnitLevel::Hamlet {
        errors.push(FieldError::new(
            field,
            "not_a_hamlet_kind",
            msg::NOT_A_HAMLET_KIND,
        ));
    }
}

/// The commune the caller may change hamlets of: 403 for a role that may not, 404 for a
/// commune outside scope or unknown, 422 for a unit that is not a commune.
pub fn commune_for_change(
    conn: &mut DbConn,
    caller: &AuthUser,
    code: &str,
) -> Result<UnitRow, HamletError> {
    if !matches!(
        caller.role,
        Role::Admin | Role::ProvinceSupervisor | Role::CommuneSupervisor
    ) {
        return Err(HamletError::Forbidden);
    }
    let unit = crate::units::queries::find(conn, code)?.ok_or(HamletError::NotFound)?;
    if !caller
        .scope
        .contains(Some(&unit.code), unit.parent_code.as_deref())
    {
        return Err(HamletError::NotFound);
    }
    if unit.kind.level() != UnitLevel::Commune {
        return Err(invalid(
            "commune_code",
            "not_a_commune",
            msg::NOT_A_COMMUNE_UNIT,
        ));
    }
    Ok(unit)
}

/// A new hamlet as sent.
#[derive(Debug, Clone)]
pub struct NewHamlet {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: UnitKind,
    /// First day (default today).
    pub valid_from: Option<NaiveDate>,
}

/// The hamlets with their lineage, as units.
pub fn as_units(conn: &mut DbConn, rows: Vec<HamletRow>) -> diesel::QueryResult<Vec<Unit>> {
    let codes: Vec<String> = rows.iter().map(|r| r.code.clone()).collect();
    let mut lineage = queries::lineage(conn, &codes)?;
    let today = crate::clock::today();
    Ok(rows
        .into_iter()
        .map(|r| {
            let l = lineage.remove(&r.code).unwrap_or_default();
            r.into_unit(today, l)
        })
        .collect())
}

/// The current hamlets of these communes (valid today, or opening later), as units with
/// their lineage: a phone's pick list.
pub fn pick_list(conn: &mut DbConn, communes: &[String]) -> diesel::QueryResult<Vec<Unit>> {
    let mut rows = Vec::new();
    for commune in communes {
        rows.extend(
            queries::of_commune(conn, commune)?
                .into_iter()
                .filter(|h| h.valid_to.is_none()),
        );
    }
    as_units(conn, rows)
}

/// One hamlet as a unit, open or closed.
pub fn unit(conn: &mut DbConn, code: &str) -> diesel::QueryResult<Option<Unit>> {
    match queries::find(conn, code)? {
        Some(row) => Ok(as_units(conn, vec![row])?.pop()),
        None => Ok(None),
    }
}

/// Rows for new hamlets of a commune, numbered after its last.
pub(super) fn numbered(
    conn: &mut DbConn,
    commune: &str,
    actor: Option<&str>,
    new: &[(String, UnitKind, NaiveDate)],
) -> diesel::QueryResult<Vec<HamletRow>> {
    let last = queries::last_seq(conn, commune)?;
    let now = crate::clock::now();
    Ok(new
        .iter()
        .zip(last + 1..)
        .map(|((name, kind, from), seq)| HamletRow {
            code: format!("{commune}-{seq}"),
            commune_code: commune.to_owned(),
            seq,
            name: name.clone(),
            kind: *kind,
            search_text: crate::text::fold(name),
            valid_from: *from,
            valid_to: None,
            created_by: actor.map(str::to_owned),
            created_at: now,
            updated_at: now,
        })
        .collect())
}

/// Creates a hamlet in a commune the caller may change; audited.
pub fn create(
    conn: &mut DbConn,
    caller: &AuthUser,
    commune: &str,
    new: NewHamlet,
) -> Result<Unit, HamletError> {
    let unit = commune_for_change(conn, caller, commune)?;
    let today = crate::clock::today();
    let valid_from = new.valid_from.unwrap_or(today);
    let mut errors = Vec::new();
    check_kind("kind", new.kind, &mut errors);
    check_date("valid_from", valid_from, today, &mut errors);
    if !errors.is_empty() {
        return Err(HamletError::Invalid(errors));
    }
    let name = new.name.trim().to_owned();
    let row = conn.transaction(|conn| {
        dialect::lock_unit(conn, &unit.code)?;
        let row = numbered(
            conn,
            &unit.code,
            Some(&caller.id),
            &[(name.clone(), new.kind, valid_from)],
        )?
        .remove(0);
        queries::insert(conn, std::slice::from_ref(&row)).map_err(name_taken)?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            AuditAction::HamletCreate,
            (ObjectKind::Unit, &row.code),
            Some(&unit.code),
            format!("created hamlet {:?} ({})", row.name, row.kind),
        )?;
        Ok::<_, HamletError>(row)
    })?;
    Ok(row.into_unit(today, Lineage::default()))
}

/// Renames an open hamlet the caller may change; audited. Takes the commune's lock, so a
/// rename and a rearrangement of the same hamlet happen one after the other: a hamlet
/// closed first is not renamed (422).
pub fn rename(
    conn: &mut DbConn,
    caller: &AuthUser,
    code: &str,
    name: &str,
) -> Result<Unit, HamletError> {
    let hamlet = queries::find(conn, code)?;
    let Some(hamlet) = hamlet else {
        if crate::units::queries::find(conn, code)?.is_some() {
            return Err(invalid("code", "not_a_hamlet", msg::NOT_A_HAMLET));
        }
        return Err(HamletError::NotFound);
    };
    commune_for_change(conn, caller, &hamlet.commune_code)?;
    let name = name.trim().to_owned();
    let folded = crate::text::fold(&name);
    conn.transaction(|conn| {
        dialect::lock_unit(conn, &hamlet.commune_code)?;
        if !queries::rename(conn, code, &name, &folded, crate::clock::now()).map_err(name_taken)? {
            return Err(invalid("code", "hamlet_closed", msg::HAMLET_CLOSED));
        }
        crate::audit::record(
            conn,
            Some(&caller.id),
            AuditAction::HamletRename,
            (ObjectKind::Unit, code),
            Some(&hamlet.commune_code),
            format!("renamed hamlet {:?} to {:?}", hamlet.name, name),
        )?;
        Ok::<_, HamletError>(())
    })?;
    unit(conn, code)?.ok_or(HamletError::NotFound)
}

/// One row of a hamlet CSV file.
#[derive(Debug, serde::Deserialize)]
struct CsvRow {
    commune_code: String,
    name: String,
    kind: String,
    valid_from: Option<String>,
}

/// `gocua import-hamlets`: checks every line, then creates every hamlet in one
/// transaction, or none; returns each line's code in file order.
pub fn import(conn: &mut DbConn, csv_text: &str) -> anyhow::Result<Vec<(usize, String)>> {
    use anyhow::{Context, bail};
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(csv_text.as_bytes());
    let headers = reader.headers().context("reading the header")?.clone();
    if headers.iter().collect::<Vec<_>>() != ["commune_code", "name", "kind", "valid_from"] {
        bail!("the header must be commune_code,name,kind,valid_from");
    }
    let today = crate::clock::today();
    let (first, last) = date_bounds(today);
    let mut rows: Vec<(usize, String, String, UnitKind, NaiveDate)> = Vec::new();
    let mut names: HashSet<(String, String)> = HashSet::new();
    for (i, record) in reader.deserialize::<CsvRow>().enumerate() {
        let line = i + 2;
        let row = record.with_context(|| format!("line {line}: not a valid row"))?;
        let unit = crate::units::queries::find(conn, &row.commune_code)?;
        if unit.is_none_or(|u| u.kind.level() != UnitLevel::Commune) {
            bail!("line {line}: {:?} is not a commune code", row.commune_code);
        }
        let name = row.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > crate::rules::NAME_MAX {
            bail!(
                "line {line}: name must have 1 to {} characters",
                crate::rules::NAME_MAX
            );
        }
        let kind = UnitKind::parse(&row.kind)
            .filter(|k| k.level() == UnitLevel::Hamlet)
            .with_context(|| format!("line {line}: unknown kind {:?}", row.kind))?;
        let valid_from = match row.valid_from.as_deref().filter(|v| !v.is_empty()) {
            None => today,
            Some(v) => v
                .parse::<NaiveDate>()
                .ok()
                .filter(|d| (first..=last).contains(d))
                .with_context(|| {
                    format!("line {line}: valid_from {v:?} is not a date from {first} to {last}")
                })?,
        };
        if !names.insert((row.commune_code.clone(), crate::text::fold(&name))) {
            bail!(
                "line {line}: {name:?} appears twice for commune {}",
                row.commune_code
            );
        }
        rows.push((line, row.commune_code, name, kind, valid_from));
    }
    let mut by_commune: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        match by_commune.iter_mut().find(|(c, _)| *c == row.1) {
            Some((_, list)) => list.push(i),
            None => by_commune.push((row.1.clone(), vec![i])),
        }
    }
    let codes = conn.transaction(|conn| {
        let mut codes = vec![String::new(); rows.len()];
        for (commune, indexes) in &by_commune {
            dialect::lock_unit(conn, commune)?;
            let new: Vec<_> = indexes
                .iter()
                .map(|&i| (rows[i].2.clone(), rows[i].3, rows[i].4))
                .collect();
            let stored = numbered(conn, commune, None, &new)?;
            for (row, &i) in stored.iter().zip(indexes) {
                queries::insert(conn, std::slice::from_ref(row)).map_err(|e| {
                    match name_taken(e) {
                        HamletError::NameTaken => anyhow::anyhow!(
                            "line {}: commune {commune} already has a hamlet named {:?}",
                            rows[i].0,
                            rows[i].2
                        ),
                        other => anyhow::Error::from(other),
                    }
                })?;
                codes[i] = row.code.clone();
            }
            crate::audit::record(
                conn,
                None,
                AuditAction::HamletCreate,
                (ObjectKind::Unit, commune),
                Some(commune),
                format!("imported {} hamlets", stored.len()),
            )?;
        }
        Ok::<_, anyhow::Error>(codes)
    })?;
    Ok(rows.iter().map(|r| r.0).zip(codes).collect())
}

//! Household rules: who may act on which household, registering one (idempotent by the
//! phone's id, one open label per hamlet), reading, listing and the history. Changes and
//! closing are `change`; the team's share on its phones is `share`.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use diesel::Connection;
use sha2::{Digest, Sha256};

use super::model::{
    Criteria, Criterion, Definition, DefinitionRow, Household, HouseholdRow, Version, VersionRow,
};
use super::queries::{self, HamletPlace, ListFilter};
use crate::access::AuthUser;
use crate::access::roles::{Role, Scope};
use crate::audit::{AuditAction, ObjectKind};
use crate::db::{DbConn, DbError};
use crate::error::FieldError;
use crate::messages as msg;

/// Why a household request was refused.
#[derive(Debug, thiserror::Error)]
pub enum HouseholdError {
    /// No such household, hamlet or team in the caller's scope (a 404).
    #[error("no such household in the caller's scope")]
    NotFound,
    /// The caller's teams do not hold the hamlet, or the role may not do this.
    #[error("not allowed")]
    Forbidden(msg::Text),
    /// Fields break the rules; every failing field is listed.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// The id is stored with other content.
    #[error("the household id is taken")]
    IdTaken,
    /// An open household of the hamlet has the label.
    #[error("label taken by household {0}")]
    DuplicateLabel(String),
    /// The household is closed.
    #[error("the household is closed")]
    Closed,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DbError),
}

crate::db::domain_error!(HouseholdError);

pub(super) fn invalid(field: &str, code: &str, message: msg::Text) -> HouseholdError {
    HouseholdError::Invalid(vec![FieldError::new(field, code, message)])
}

/// Longest label.
pub const LABEL_MAX: usize = 32;
/// Longest address.
pub const ADDRESS_MAX: usize = 200;
/// Most members of a household.
pub const MEMBERS_MAX: i32 = 50;

/// A household as a phone registers it.
#[derive(Debug, Clone)]
pub struct NewHousehold {
    /// The phone's UUID.
    pub id: String,
    /// Its hamlet (a closed one is followed to where it went).
    pub hamlet_code: String,
    /// The door's label.
    pub label: String,
    /// Address.
    pub address: Option<String>,
    /// Members.
    pub members: i32,
    /// Adults.
    pub adults: i32,
    /// Criteria.
    pub criteria: Criteria,
    /// When the volunteer saw it (`None`: now).
    pub observed_at: Option<DateTime<FixedOffset>>,
}

/// What a create did.
#[derive(Debug)]
pub enum Created {
    /// Stored now.
    New(Household),
    /// Already stored from the same content (a retry): the household as it is now.
    Unchanged(Household),
}

/// A label as stored: trimmed, 1–32 characters.
pub(super) fn check_label(field: &str, label: &str, errors: &mut Vec<FieldError>) -> String {
    let label = label.trim().to_owned();
    let n = label.chars().count();
    if n == 0 || n > LABEL_MAX {
        errors.push(FieldError::new(field, "length", msg::length(1, LABEL_MAX)));
    }
    label
}

/// An address as stored: trimmed, empty is none, at most 200 characters.
pub(super) fn check_address(address: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let address = address.map(str::trim).filter(|a| !a.is_empty())?;
    if address.chars().count() > ADDRESS_MAX {
        errors.push(FieldError::new(
            "address",
            "length",
            msg::at_most_chars(ADDRESS_MAX),
        ));
    }
    Some(address.to_owned())
}

/// Members and adults: 1–50 and 0–members.
pub(super) fn check_people(members: i32, adults: i32, errors: &mut Vec<FieldError>) {
    if !(1..=MEMBERS_MAX).contains(&members) {
        errors.push(FieldError::new(
            "members",
            "out_of_range",
            msg::range(1, MEMBERS_MAX),
        ));
    }
    if adults < 0 {
        errors.push(FieldError::new(
            "adults",
            "out_of_range",
            msg::range(0, members.clamp(0, MEMBERS_MAX)),
        ));
    } else if adults > members && (1..=MEMBERS_MAX).contains(&members) {
        errors.push(FieldError::new(
            "adults",
            "over_members",
            msg::ADULTS_OVER_MEMBERS,
        ));
    }
}

/// When the volunteer saw it, as stored: a phone's clock ahead of the server's counts as
/// now, so a wrong clock can never win every later merge.
pub(super) fn observed(at: Option<DateTime<FixedOffset>>, now: NaiveDateTime) -> NaiveDateTime {
    at.map(|t| t.naive_utc())
        .map_or(now, |t| crate::clock::stored(t.min(now)))
}

/// Whether a code is a hamlet's (`<commune>-<n>`) rather than a unit of the map's.
pub fn is_hamlet_code(code: &str) -> bool {
    code.contains('-')
}

/// The label's key: unique among a hamlet's open households.
pub(super) fn label_key(label: &str) -> String {
    label.to_lowercase()
}

/// Where a household of `code` goes: the hamlet itself while open, or, after a
/// rearrangement, the first hamlet it became (marked for placement when it was split).
pub(super) fn place(
    conn: &mut DbConn,
    field: &str,
    code: &str,
) -> Result<(HamletPlace, bool), HouseholdError> {
    let wrong = || invalid(field, "wrong_hamlet", msg::WRONG_HAMLET);
    let mut current = queries::hamlet_place(conn, code)?.ok_or_else(wrong)?;
    let mut split = false;
    // Lineage only runs forward, so this ends; the bound guards a corrupt map.
    for _ in 0..100 {
        if current.valid_to.is_none() {
            return Ok((current, split));
        }
        let next = queries::successors(conn, &current.code)?;
        split |= next.len() > 1;
        let Some(first) = next.first() else {
            return Ok((current, split));
        };
        current = queries::hamlet_place(conn, first)?.ok_or_else(wrong)?;
    }
    Err(wrong())
}

/// Whether the caller may register, change and read households of a hamlet: members of an
/// active team holding it, supervisors in scope, admins. A volunteer of the same commune
/// whose teams do not hold it gets 403; anyone else 404.
pub fn check_access(
    conn: &mut DbConn,
    caller: &AuthUser,
    place: &HamletPlace,
) -> Result<(), HouseholdError> {
    let ok = match (&caller.role, &caller.scope) {
        (Role::Admin, _) | (_, Scope::National) => true,
        (Role::ProvinceSupervisor, Scope::Province(p)) => {
            place.province_code.as_deref() == Some(p.as_str())
        }
        (Role::CommuneSupervisor, Scope::Commune(c)) => place.commune_code == *c,
        (Role::Volunteer, Scope::Commune(c)) => {
            if queries::holds_hamlet(conn, &caller.id, &place.code)? {
                true
            } else if place.commune_code == *c {
                return Err(HouseholdError::Forbidden(msg::HAMLET_NOT_HELD));
            } else {
                false
            }
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(HouseholdError::NotFound)
    }
}

/// A household the caller may read, with its hamlet; 404 otherwise (a volunteer of the
/// commune included: the household is not theirs to see).
pub fn readable(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
) -> Result<(HouseholdRow, HamletPlace), HouseholdError> {
    let row = queries::find(conn, id)?.ok_or(HouseholdError::NotFound)?;
    let place = queries::hamlet_place(conn, &row.hamlet_code)?.ok_or(HouseholdError::NotFound)?;
    match check_access(conn, caller, &place) {
        Ok(()) => Ok((row, place)),
        Err(HouseholdError::Forbidden(_)) => Err(HouseholdError::NotFound),
        Err(e) => Err(e),
    }
}

/// The definition in force in a province.
pub fn definition(conn: &mut DbConn, province: Option<&str>) -> diesel::QueryResult<Definition> {
    let Some(p) = province else {
        return Ok(Definition::standard());
    };
    Ok(queries::definitions(conn, &[p.to_owned()])?
        .remove(p)
        .map_or_else(Definition::standard, Definition::from))
}

/// Rows as shown, each judged by its own province's definition.
pub fn views(conn: &mut DbConn, rows: Vec<HouseholdRow>) -> diesel::QueryResult<Vec<Household>> {
    let mut communes: Vec<String> = rows.iter().map(|r| r.commune_code.clone()).collect();
    communes.sort();
    communes.dedup();
    let provinces = queries::provinces_of(conn, &communes)?;
    let mut wanted: Vec<String> = provinces.values().cloned().collect();
    wanted.sort();
    wanted.dedup();
    let defs = queries::definitions(conn, &wanted)?;
    let standard = Definition::standard().mask();
    Ok(rows
        .into_iter()
        .map(|r| {
            let mask = provinces
                .get(&r.commune_code)
                .and_then(|p| defs.get(p))
                .map_or(standard, |d| Definition::from(d.clone()).mask());
            Household::from_row(r, mask)
        })
        .collect())
}

/// One row as shown.
pub fn view(conn: &mut DbConn, row: HouseholdRow) -> diesel::QueryResult<Household> {
    Ok(views(conn, vec![row])?.remove(0))
}

fn fingerprint(n: &NewHousehold, label: &str, address: Option<&str>) -> String {
    let (t, k) = n.criteria.masks();
    let text = serde_json::json!([n.hamlet_code, label, address, n.members, n.adults, t, k]);
    hex(&Sha256::digest(text.to_string().as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Registers a household: a retry with the same content answers the stored household, other
/// content under the same id is [`HouseholdError::IdTaken`], a label already open in the
/// hamlet is [`HouseholdError::DuplicateLabel`]. Audited; the history starts at version 1.
pub fn create(
    conn: &mut DbConn,
    caller: &AuthUser,
    n: NewHousehold,
) -> Result<Created, HouseholdError> {
    let mut errors = Vec::new();
    let id = match uuid::Uuid::parse_str(&n.id) {
        Ok(u) => u.hyphenated().to_string(),
        Err(_) => {
            errors.push(FieldError::new("id", "invalid_uuid", msg::INVALID_UUID));
            String::new()
        }
    };
    let label = check_label("label", &n.label, &mut errors);
    let address = check_address(n.address.as_deref(), &mut errors);
    check_people(n.members, n.adults, &mut errors);
    if !errors.is_empty() {
        return Err(HouseholdError::Invalid(errors));
    }
    let hash = fingerprint(&n, &label, address.as_deref());
    conn.transaction(|conn| {
        if let Some(stored) = queries::find(conn, &id)? {
            return if stored.content_hash == hash && readable(conn, caller, &id).is_ok() {
                Ok(Created::Unchanged(view(conn, stored)?))
            } else {
                Err(HouseholdError::IdTaken)
            };
        }
        let (place, split) = place(conn, "hamlet_code", &n.hamlet_code)?;
        check_access(conn, caller, &place)?;
        let key = label_key(&label);
        if let Some(other) = queries::open_with_label(conn, &place.code, &key)? {
            return Err(HouseholdError::DuplicateLabel(other));
        }
        let now = crate::clock::now();
        let stamp = crate::db::change_stamp(conn)?;
        let (criteria_true, criteria_known) = n.criteria.masks();
        let row = HouseholdRow {
            id: id.clone(),
            commune_code: place.commune_code.clone(),
            hamlet_code: place.code.clone(),
            label,
            label_key: key,
            address,
            members: n.members,
            adults: n.adults,
            criteria_true,
            criteria_known,
            needs_placement: split,
            closed_reason: None,
            duplicate_of: None,
            closed_at: None,
            version: 1,
            observed_at: observed(n.observed_at, now),
            content_hash: hash,
            created_by: caller.id.clone(),
            created_at: now,
            updated_at: now,
            change_stamp: stamp,
        };
        if !queries::insert(conn, &row)? {
            // A concurrent create won the id or the label (PostgreSQL): answer as it would.
            if queries::find(conn, &id)?.is_some() {
                return Err(HouseholdError::IdTaken);
            }
            let other = queries::open_with_label(conn, &row.hamlet_code, &row.label_key)?;
            return Err(HouseholdError::DuplicateLabel(other.unwrap_or_default()));
        }
        queries::insert_version(conn, &first_version(&row))?;
        super::tally::apply(conn, &[(None, row.placed())], now)?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            AuditAction::HouseholdCreate,
            (ObjectKind::Household, &row.id),
            Some(&row.commune_code),
            format!("registered household in hamlet {}", row.hamlet_code),
        )?;
        Ok(Created::New(view(conn, row)?))
    })
}

/// Version 1: every field from nothing (the address only says it was given: the history
/// is erased with it).
fn first_version(row: &HouseholdRow) -> VersionRow {
    let mut changes = serde_json::Map::new();
    changes.insert(
        "hamlet_code".into(),
        serde_json::json!([null, row.hamlet_code]),
    );
    changes.insert("label".into(), serde_json::json!([null, row.label]));
    changes.insert("address".into(), serde_json::json!([null, row.address]));
    changes.insert("members".into(), serde_json::json!([null, row.members]));
    changes.insert("adults".into(), serde_json::json!([null, row.adults]));
    let criteria = row.criteria();
    for c in super::model::Criterion::ALL {
        if let Some(v) = criteria.get(*c) {
            changes.insert(format!("criteria.{c}"), serde_json::json!([null, v]));
        }
    }
    VersionRow {
        household_id: row.id.clone(),
        version: 1,
        changed_at: row.created_at,
        changed_by: row.created_by.clone(),
        observed_at: row.observed_at,
        changes: serde_json::Value::Object(changes).to_string(),
        hamlet_code: row.hamlet_code.clone(),
        is_open: true,
        criteria_true: row.criteria_true,
    }
}

/// A household the caller may read, as shown.
pub fn get(conn: &mut DbConn, caller: &AuthUser, id: &str) -> Result<Household, HouseholdError> {
    let (row, _) = readable(conn, caller, id)?;
    Ok(view(conn, row)?)
}

/// Every version of a household, oldest first.
pub fn history(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
) -> Result<Vec<Version>, HouseholdError> {
    readable(conn, caller, id)?;
    Ok(queries::versions_after(conn, id, 0)?
        .into_iter()
        .map(|v| Version {
            version: v.version,
            changed_at: v.changed_at.and_utc(),
            changed_by: v.changed_by,
            observed_at: v.observed_at.and_utc(),
            changes: serde_json::from_str(&v.changes).unwrap_or_default(),
        })
        .collect())
}

/// What the list is asked for.
#[derive(Debug, Default)]
pub struct ListQuery {
    /// One hamlet.
    pub hamlet: Option<String>,
    /// One team's hamlets.
    pub team: Option<String>,
    /// Digital families or not.
    pub digital_family: Option<bool>,
    /// Marked for placement or not.
    pub needs_placement: Option<bool>,
    /// Not visited since this day.
    pub not_visited_since: Option<NaiveDate>,
    /// Label contains.
    pub q: Option<String>,
    /// Closed ones instead of open ones.
    pub closed: bool,
}

/// A page of the households the caller may read, in label order after `after`.
pub fn list(
    conn: &mut DbConn,
    caller: &AuthUser,
    query: ListQuery,
    after: Option<(String, String)>,
    limit: i64,
) -> Result<Vec<Household>, HouseholdError> {
    let mut filter = ListFilter {
        needs_placement: query.needs_placement,
        not_visited_since: query.not_visited_since.map(crate::clock::day_start),
        label_like: query
            .q
            .as_deref()
            .map(|q| crate::text::like_contains(&q.trim().to_lowercase())),
        closed: query.closed,
        ..ListFilter::default()
    };
    let mut province = match &caller.scope {
        Scope::Province(p) => Some(p.clone()),
        _ => None,
    };
    match (&caller.role, &caller.scope) {
        (Role::Volunteer, _) => {
            filter.hamlets = Some(queries::hamlets_of_member(conn, &caller.id)?);
        }
        (_, Scope::Commune(c)) => filter.communes = Some(vec![c.clone()]),
        (_, Scope::Province(p)) => filter.communes = Some(queries::communes_of(conn, p)?),
        (_, Scope::National) => {}
    }
    if let Some(hamlet) = &query.hamlet {
        let place = queries::hamlet_place(conn, hamlet)?.ok_or(HouseholdError::NotFound)?;
        check_access(conn, caller, &place).map_err(|_| HouseholdError::NotFound)?;
        province = place.province_code.clone();
        filter.hamlets = Some(vec![hamlet.clone()]);
    }
    if let Some(team) = &query.team {
        let (commune, _, member) =
            queries::team_for(conn, team, &caller.id)?.ok_or(HouseholdError::NotFound)?;
        let visible = member
            || (caller.role.is_supervisor()
                && match &caller.scope {
                    Scope::National => true,
                    Scope::Commune(c) => *c == commune,
                    Scope::Province(p) => {
                        queries::unit_parent(conn, &commune)?.flatten().as_deref() == Some(p)
                    }
                });
        if !visible {
            return Err(HouseholdError::NotFound);
        }
        let held = queries::hamlets_of_team(conn, team)?;
        filter.hamlets = Some(match filter.hamlets.take() {
            Some(h) => h.into_iter().filter(|c| held.contains(c)).collect(),
            None => held,
        });
        province = queries::unit_parent(conn, &commune)?.flatten();
    }
    if let Some(want) = query.digital_family {
        // A listing spanning provinces with different definitions judges by the caller's
        // province, or the standard one for an admin: name a hamlet or a team to be exact.
        filter.digital_family = Some((want, definition(conn, province.as_deref())?.mask()));
    }
    let rows = queries::list(conn, &filter, after, limit)?;
    Ok(views(conn, rows)?)
}

/// A province's definition, for anyone whose scope meets the province.
pub fn read_definition(
    conn: &mut DbConn,
    caller: &AuthUser,
    province: &str,
) -> Result<Definition, HouseholdError> {
    require_province(conn, province)?;
    let visible = match &caller.scope {
        Scope::National => true,
        Scope::Province(p) => p == province,
        Scope::Commune(c) => queries::unit_parent(conn, c)?.flatten().as_deref() == Some(province),
    };
    if !visible {
        return Err(HouseholdError::NotFound);
    }
    Ok(definition(conn, Some(province))?)
}

fn require_province(conn: &mut DbConn, code: &str) -> Result<(), HouseholdError> {
    match queries::unit_parent(conn, code)? {
        Some(None) => Ok(()),
        Some(Some(_)) => Err(invalid(
            "province_code",
            "not_a_province",
            msg::NOT_A_PROVINCE,
        )),
        None => Err(HouseholdError::NotFound),
    }
}

/// Sets a province's definition (admin, or the province's supervisor); it applies at once,
/// to every figure including past days'. Audited.
pub fn put_definition(
    conn: &mut DbConn,
    caller: &AuthUser,
    province: &str,
    mut d: Definition,
) -> Result<Definition, HouseholdError> {
    let allowed = match (&caller.role, &caller.scope) {
        (Role::Admin, _) => true,
        (Role::ProvinceSupervisor, Scope::Province(p)) => p == province,
        _ => false,
    };
    let mut errors = Vec::new();
    if d.criteria.len() > Criterion::ALL.len() {
        errors.push(FieldError::new(
            "criteria",
            "too_many",
            msg::at_most_items(Criterion::ALL.len()),
        ));
    }
    d.criteria.sort();
    d.criteria.dedup();
    if d.criteria.is_empty() {
        errors.push(FieldError::new("criteria", "empty", msg::CRITERIA_EMPTY));
    }
    if !(1..=100).contains(&d.residential_area_share) {
        errors.push(FieldError::new(
            "residential_area_share",
            "out_of_range",
            msg::range(1, 100),
        ));
    }
    read_definition(conn, caller, province)?;
    if !allowed {
        return Err(HouseholdError::Forbidden(msg::DEFINITION_SETTERS_ONLY));
    }
    if !errors.is_empty() {
        return Err(HouseholdError::Invalid(errors));
    }
    let text: Vec<&str> = d.criteria.iter().map(|c| c.as_str()).collect();
    let row = DefinitionRow {
        province_code: province.to_owned(),
        criteria: text.join(","),
        residential_area_share: d.residential_area_share,
        updated_by: Some(caller.id.clone()),
        updated_at: crate::clock::now(),
    };
    conn.transaction(|conn| {
        queries::put_definition(conn, &row)?;
        let communes = queries::communes_of(conn, province)?;
        super::tally::rebuild(conn, &communes)?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            AuditAction::DigitalFamilyDefine,
            (ObjectKind::Unit, province),
            Some(province),
            format!(
                "digital family: {}; residential area share {}%",
                row.criteria, row.residential_area_share
            ),
        )?;
        Ok::<_, HouseholdError>(())
    })?;
    Ok(d)
}

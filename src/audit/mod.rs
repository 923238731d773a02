//! The append-only audit log: who did what to which object, written in the same transaction
//! as the change so that one never exists without the other. Summaries never hold citizen
//! data, passwords or tokens.

pub mod handlers;

use diesel::prelude::*;
use uuid::Uuid;

use crate::db::{DbConn, dialect};
use crate::schema::audit_log;
use crate::text::text_enum;

text_enum! {
    /// What was done, as the log names it.
    AuditAction {
        /// A password login.
        AuthLogin => "auth.login",
        /// A user changed their password.
        AuthPasswordChange => "auth.password_change",
        /// A user was created.
        UserCreate => "user.create",
        /// A user was renamed, given a role or disabled.
        UserUpdate => "user.update",
        /// A team was created.
        TeamCreate => "team.create",
        /// A team was renamed or deactivated.
        TeamUpdate => "team.update",
        /// A member was added to a team or given a role in it.
        TeamMemberPut => "team.member_put",
        /// A member left a team.
        TeamMemberRemove => "team.member_remove",
        /// A record was logged.
        RecordCreate => "record.create",
        /// A record was changed.
        RecordUpdate => "record.update",
        /// A record was reviewed.
        RecordReview => "record.review",
        /// A record was voided.
        RecordVoid => "record.void",
        /// Records were exported.
        ExportRecords => "export.records",
        /// A campaign was created.
        CampaignCreate => "campaign.create",
        /// A campaign's targets were set.
        CampaignTargets => "campaign.targets",
        /// A hamlet was created (or hamlets imported).
        HamletCreate => "hamlet.create",
        /// A hamlet was renamed.
        HamletRename => "hamlet.rename",
        /// A commune's hamlets were rearranged.
        HamletsRearrange => "hamlet.rearrange",
        /// A team's hamlets were set.
        TeamHamlets => "team.hamlets",
        /// A household was registered.
        HouseholdCreate => "household.create",
        /// A household was changed.
        HouseholdUpdate => "household.update",
        /// A household was closed.
        HouseholdClose => "household.close",
        /// A household's address and label were erased.
        HouseholdErase => "household.erase",
        /// A province's definition of a digital family was set.
        DigitalFamilyDefine => "digital_family.define",
        /// A unit's population figures were set.
        PopulationSet => "population.set",
        /// A commune's figures were certified.
        CertificationSubmit => "certification.submit",
        /// A certification was accepted.
        CertificationAccept => "certification.accept",
        /// A certification was returned.
        CertificationReturn => "certification.return",
        /// A certification was reopened.
        CertificationReopen => "certification.reopen",
        /// A dashboard key was created.
        ApiKeyCreate => "api_key.create",
        /// A dashboard key was revoked.
        ApiKeyRevoke => "api_key.revoke",
        /// A webhook was created.
        WebhookCreate => "webhook.create",
        /// A webhook was deleted.
        WebhookDelete => "webhook.delete",
        /// A resident's records were looked up.
        PrivacyLookup => "privacy.lookup",
        /// A resident's records were unlinked from them.
        PrivacyErase => "privacy.erase",
    }
}

text_enum! {
    /// What kind of object an entry is about.
    ObjectKind {
        /// A household visit.
        Visit => "visit",
        /// A VNeID assist.
        VneidAssist => "vneid_assist",
        /// A digital-signature registration.
        SignatureRegistration => "signature_registration",
        /// A class or support point.
        TrainingSession => "training_session",
        /// A user.
        User => "user",
        /// A team.
        Team => "team",
        /// A campaign.
        Campaign => "campaign",
        /// A dashboard key.
        ApiKey => "api_key",
        /// A webhook.
        Webhook => "webhook",
        /// A certification.
        Certification => "certification",
        /// An administrative unit.
        Unit => "unit",
        /// A resident (never named: the object id is `-`).
        Resident => "resident",
        /// A household of the register.
        Household => "household",
    }
}

/// One audited action.
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct Entry<'a> {
    id: String,
    at: chrono::NaiveDateTime,
    actor_id: Option<&'a str>,
    action: AuditAction,
    object_kind: ObjectKind,
    object_id: &'a str,
    unit_code: Option<&'a str>,
    summary: String,
}

impl<'a> Entry<'a> {
    /// An entry stamped now. `unit_code` is the unit the object belongs to, so supervisors
    /// can read their scope's log.
    pub fn new(
        actor_id: Option<&'a str>,
        action: AuditAction,
        object: (ObjectKind, &'a str),
        unit_code: Option<&'a str>,
        summary: impl Into<String>,
    ) -> Self {
        Self {
            id: Uuid::new_v4().to_string(),
            at: crate::clock::now(),
            actor_id,
            action,
            object_kind: object.0,
            object_id: object.1,
            unit_code,
            summary: summary.into(),
        }
    }
}

/// Appends entries in multi-row statements; call it inside the transaction of the changes
/// they describe.
pub fn insert_all(conn: &mut DbConn, entries: &[Entry<'_>]) -> QueryResult<()> {
    // 8 columns per row: 1,000 rows stay under SQLite's 32,766 bind parameters.
    for chunk in entries.chunks(1000) {
        dialect::execute(conn, diesel::insert_into(audit_log::table).values(chunk))?;
    }
    Ok(())
}

/// Appends one entry; call it inside the transaction of the change it describes.
pub fn record(
    conn: &mut DbConn,
    actor_id: Option<&str>,
    action: AuditAction,
    object: (ObjectKind, &str),
    unit_code: Option<&str>,
    summary: impl Into<String>,
) -> QueryResult<()> {
    insert_all(
        conn,
        &[Entry::new(actor_id, action, object, unit_code, summary)],
    )
}

/// A stored audit entry.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct EntryRow {
    /// UUID.
    pub id: String,
    /// When (UTC).
    pub at: chrono::NaiveDateTime,
    /// Who (`None` for the command line).
    pub actor_id: Option<String>,
    /// What was done.
    pub action: AuditAction,
    /// Kind of object.
    pub object_kind: ObjectKind,
    /// Object id.
    pub object_id: String,
    /// The object's unit.
    pub unit_code: Option<String>,
    /// Short change summary.
    pub summary: String,
}

/// The parent of a unit of the map (`Some(None)` for a province, `None` for no such unit):
/// enough to tell whether a caller's scope holds it. The log reads the map's table itself,
/// so that the map's own changes can be audited without the two domains importing each
/// other.
pub fn unit_parent(conn: &mut DbConn, code: &str) -> QueryResult<Option<Option<String>>> {
    use crate::schema::units;
    units::table
        .find(code)
        .select(units::parent_code)
        .first(conn)
        .optional()
}

/// Filters of the audit list.
#[derive(Debug, Default)]
pub struct AuditFilter {
    /// Entries of units in this scope only (`None`: everything, for admins).
    pub scope: Option<crate::access::Scope>,
    /// The unit or units under it.
    pub unit: Option<String>,
    /// One actor.
    pub actor: Option<String>,
    /// From this instant (UTC), inclusive.
    pub from: Option<chrono::NaiveDateTime>,
    /// Before this instant (UTC).
    pub until: Option<chrono::NaiveDateTime>,
}

/// Entries matching a filter, newest first after the keyset.
pub fn list(
    conn: &mut DbConn,
    filter: &AuditFilter,
    after: Option<(chrono::NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<EntryRow>> {
    use crate::access::Scope;
    use crate::schema::units;
    let mut query = audit_log::table.select(EntryRow::as_select()).into_boxed();
    let subtree = |code: String| {
        units::table
            .select(units::code.nullable())
            .filter(units::code.eq(code.clone()).or(units::parent_code.eq(code)))
    };
    match &filter.scope {
        None | Some(Scope::National) => {}
        Some(Scope::Province(p)) => {
            query = query.filter(audit_log::unit_code.eq_any(subtree(p.clone())))
        }
        Some(Scope::Commune(c)) => query = query.filter(audit_log::unit_code.eq(c.clone())),
    }
    if let Some(unit) = &filter.unit {
        query = query.filter(audit_log::unit_code.eq_any(subtree(unit.clone())));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_log::actor_id.eq(actor.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::at.lt(until));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            audit_log::at
                .lt(at)
                .or(audit_log::at.eq(at).and(audit_log::id.lt(id))),
        );
    }
    query
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(limit)
        .load(conn)
}

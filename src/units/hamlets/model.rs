//! Hamlets and residential groups as stored, their rearrangements and lineage.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::schema::{hamlet_lineage, hamlets, rearrangements};
use crate::units::model::{Unit, UnitKind, UnitLevel};

/// A hamlet row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = hamlets)]
pub struct HamletRow {
    /// `<commune>-<seq>`.
    pub code: String,
    /// Its commune.
    pub commune_code: String,
    /// Its number in the commune, never reused.
    pub seq: i32,
    /// Name (`Khu phố 1`).
    pub name: String,
    /// Kind (one of the hamlet kinds).
    pub kind: UnitKind,
    /// Folded name: unique among the commune's open hamlets.
    pub search_text: String,
    /// First day.
    pub valid_from: NaiveDate,
    /// Last day; `None` while open.
    pub valid_to: Option<NaiveDate>,
    /// Who created it.
    pub created_by: Option<String>,
    /// When.
    pub created_at: NaiveDateTime,
    /// Last rename or close.
    pub updated_at: NaiveDateTime,
}

impl HamletRow {
    /// Whether the hamlet is valid on `day`.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day <= to)
    }

    /// The hamlet as a unit, with its lineage.
    pub fn into_unit(self, today: NaiveDate, lineage: Lineage) -> Unit {
        Unit {
            active: self.valid_to.is_none_or(|to| today <= to),
            kind: self.kind,
            level: UnitLevel::Hamlet,
            official_name: self.name.clone(),
            name: self.name,
            parent_code: Some(self.commune_code),
            code: self.code,
            valid_from: Some(self.valid_from),
            valid_to: self.valid_to,
            predecessors: lineage.predecessors,
            successors: lineage.successors,
        }
    }
}

/// A hamlet's neighbours in its lineage, in code order.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    /// Hamlets it was made from.
    pub predecessors: Vec<String>,
    /// Hamlets it became.
    pub successors: Vec<String>,
}

/// A stored rearrangement.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rearrangements)]
pub struct RearrangementRow {
    /// UUID.
    pub id: String,
    /// The commune.
    pub commune_code: String,
    /// First day of the new hamlets.
    pub effective_on: NaiveDate,
    /// Why (the decision's number, say).
    pub note: Option<String>,
    /// Who recorded it.
    pub created_by: Option<String>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// One edge of the lineage.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = hamlet_lineage)]
pub struct LineageRow {
    /// The closed hamlet.
    pub from_code: String,
    /// The hamlet opened in its place.
    pub to_code: String,
    /// The rearrangement that did it.
    pub rearrangement_id: String,
}

/// A rearrangement as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rearrangement {
    /// Id.
    pub id: String,
    /// The commune.
    pub commune_code: String,
    /// Ngày hiệu lực: the first day of the new hamlets.
    pub effective_on: NaiveDate,
    /// Note.
    pub note: Option<String>,
    /// The hamlets it opened.
    pub created: Vec<Unit>,
    /// The codes of the hamlets it closed.
    pub closed: Vec<String>,
    /// When it was recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

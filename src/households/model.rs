//! Households as stored, their criteria, their versions and the provinces' definitions of
//! a digital family.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::schema::{digital_family_definitions, household_versions, households};
use crate::text::text_enum;

text_enum! {
    /// One criterion of a digital family; the order is the bit order of the stored masks.
    Criterion {
        /// The household has a smartphone or another smart device.
        SmartDevice => "smart_device",
        /// The household has internet (fixed or mobile).
        Internet => "internet",
        /// Every adult has a VNeID account at level 2.
        VneidAllAdults => "vneid_all_adults",
        /// The household uses online public services.
        OnlinePublicServices => "online_public_services",
        /// The household pays without cash.
        CashlessPayment => "cashless_payment",
        /// An adult holds the digital-skills certificate.
        DigitalSkills => "digital_skills",
        /// An adult has a digital signature.
        DigitalSignature => "digital_signature",
        /// The household knows how to stay safe online.
        OnlineSafety => "online_safety",
    }
}

impl Criterion {
    /// The criterion's bit in the stored masks.
    pub fn bit(self) -> i32 {
        let index = Self::ALL.iter().position(|c| *c == self).unwrap_or(0);
        1 << index
    }

    /// The mask of several criteria.
    pub fn mask_of(criteria: &[Criterion]) -> i32 {
        criteria.iter().fold(0, |m, c| m | c.bit())
    }
}

text_enum! {
    /// Why a household was closed.
    CloseReason {
        /// The household moved away.
        MovedAway => "moved_away",
        /// The house was demolished.
        Demolished => "demolished",
        /// It was registered twice; `duplicate_of` names the one kept.
        Duplicate => "duplicate",
    }
}

/// The eight criteria of a household: `true`, `false` or `null` (not known yet).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Criteria {
    /// A smartphone or another smart device.
    pub smart_device: Option<bool>,
    /// Internet at home or on a phone.
    pub internet: Option<bool>,
    /// Every adult has VNeID at level 2.
    pub vneid_all_adults: Option<bool>,
    /// Uses online public services.
    pub online_public_services: Option<bool>,
    /// Pays without cash.
    pub cashless_payment: Option<bool>,
    /// An adult holds the digital-skills certificate.
    pub digital_skills: Option<bool>,
    /// An adult has a digital signature.
    pub digital_signature: Option<bool>,
    /// Knows how to stay safe online.
    pub online_safety: Option<bool>,
}

impl Criteria {
    /// The value of one criterion.
    pub fn get(&self, c: Criterion) -> Option<bool> {
        match c {
            Criterion::SmartDevice => self.smart_device,
            Criterion::Internet => self.internet,
            Criterion::VneidAllAdults => self.vneid_all_adults,
            Criterion::OnlinePublicServices => self.online_public_services,
            Criterion::CashlessPayment => self.cashless_payment,
            Criterion::DigitalSkills => self.digital_skills,
            Criterion::DigitalSignature => self.digital_signature,
            Criterion::OnlineSafety => self.online_safety,
        }
    }

    /// Sets one criterion.
    pub fn set(&mut self, c: Criterion, value: Option<bool>) {
        let slot = match c {
            Criterion::SmartDevice => &mut self.smart_device,
            Criterion::Internet => &mut self.internet,
            Criterion::VneidAllAdults => &mut self.vneid_all_adults,
            Criterion::OnlinePublicServices => &mut self.online_public_services,
            Criterion::CashlessPayment => &mut self.cashless_payment,
            Criterion::DigitalSkills => &mut self.digital_skills,
            Criterion::DigitalSignature => &mut self.digital_signature,
            Criterion::OnlineSafety => &mut self.online_safety,
        };
        *slot = value;
    }

    /// The criteria from the stored masks.
    pub fn from_masks(true_mask: i32, known_mask: i32) -> Self {
        let mut out = Self::default();
        for c in Criterion::ALL {
            if known_mask & c.bit() != 0 {
                out.set(*c, Some(true_mask & c.bit() != 0));
            }
        }
        out
    }

    /// `(true, known)` masks to store.
    pub fn masks(&self) -> (i32, i32) {
        Criterion::ALL
            .iter()
            .fold((0, 0), |(t, k), c| match self.get(*c) {
                Some(true) => (t | c.bit(), k | c.bit()),
                Some(false) => (t, k | c.bit()),
                None => (t, k),
            })
    }
}

/// Where an open household counts: its hamlet, commune and criteria true.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// Hamlet.
    pub hamlet: String,
    /// Commune.
    pub commune: String,
    /// Criteria true.
    pub mask: i32,
}

/// A household row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = households)]
pub struct HouseholdRow {
    /// The client's UUID.
    pub id: String,
    /// The commune of its hamlet.
    pub commune_code: String,
    /// The hamlet it is in.
    pub hamlet_code: String,
    /// The team's label for the door (`KP1-23`).
    pub label: String,
    /// The label lowercased: unique among the hamlet's open households.
    pub label_key: String,
    /// Address: personal data.
    pub address: Option<String>,
    /// People living there.
    pub members: i32,
    /// Adults among them.
    pub adults: i32,
    /// Criteria that are true (bit mask, [`Criterion::bit`]).
    pub criteria_true: i32,
    /// Criteria that are known (true or false).
    pub criteria_known: i32,
    /// Its hamlet was split: a volunteer should say which new hamlet it is in.
    pub needs_placement: bool,
    /// Why it was closed; `None` while open.
    pub closed_reason: Option<CloseReason>,
    /// The household kept, when closed as a duplicate.
    pub duplicate_of: Option<String>,
    /// When it was closed.
    pub closed_at: Option<NaiveDateTime>,
    /// Bumped by every change.
    pub version: i32,
    /// When a volunteer last saw it (the latest observation applied).
    pub observed_at: NaiveDateTime,
    /// Fingerprint of the create, to answer a retried create.
    pub content_hash: String,
    /// Who registered it.
    pub created_by: String,
    /// When.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// The pull's change stamp (`sync::changes` explains it).
    pub change_stamp: i64,
}

impl HouseholdRow {
    /// Its criteria.
    pub fn criteria(&self) -> Criteria {
        Criteria::from_masks(self.criteria_true, self.criteria_known)
    }

    /// Whether it is open.
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }

    /// Where it counts: its hamlet and criteria while open, nowhere once closed.
    pub fn placed(&self) -> Option<Placed> {
        self.is_open().then(|| Placed {
            hamlet: self.hamlet_code.clone(),
            commune: self.commune_code.clone(),
            mask: self.criteria_true,
        })
    }
}

/// A household as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Household {
    /// UUID given by the phone that registered it.
    pub id: String,
    /// The commune.
    pub commune_code: String,
    /// The hamlet or residential group.
    pub hamlet_code: String,
    /// The team's label for the door (never a name).
    pub label: String,
    /// Address (personal data: only shown to those who may read the household).
    pub address: Option<String>,
    /// People living there.
    pub members: i32,
    /// Adults among them.
    pub adults: i32,
    /// The eight criteria.
    pub criteria: Criteria,
    /// Every criterion of the province's definition is `true`.
    pub digital_family: bool,
    /// Its hamlet was split: say which new hamlet it is in (`PATCH` with `hamlet_code`).
    pub needs_placement: bool,
    /// Whether it is closed (closed households count nowhere).
    pub closed: bool,
    /// Why it was closed.
    pub closed_reason: Option<CloseReason>,
    /// The household kept, when closed as a duplicate.
    pub duplicate_of: Option<String>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Its version: send it as `base_version` with a change.
    pub version: i32,
    /// When a volunteer last saw it.
    pub observed_at: DateTime<Utc>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// Its last change.
    pub updated_at: DateTime<Utc>,
}

impl Household {
    /// The row as shown, judged by a province's digital-family mask.
    pub fn from_row(row: HouseholdRow, definition_mask: i32) -> Self {
        Self {
            criteria: row.criteria(),
            digital_family: row.criteria_true & definition_mask == definition_mask,
            closed: row.closed_at.is_some(),
            closed_at: row.closed_at.map(|t| t.and_utc()),
            id: row.id,
            commune_code: row.commune_code,
            hamlet_code: row.hamlet_code,
            label: row.label,
            address: row.address,
            members: row.members,
            adults: row.adults,
            needs_placement: row.needs_placement,
            closed_reason: row.closed_reason,
            duplicate_of: row.duplicate_of,
            version: row.version,
            observed_at: row.observed_at.and_utc(),
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// One stored version of a household.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = household_versions)]
pub struct VersionRow {
    /// The household.
    pub household_id: String,
    /// Its version number (1 for the registration).
    pub version: i32,
    /// When the server stored it.
    pub changed_at: NaiveDateTime,
    /// Who.
    pub changed_by: String,
    /// When the volunteer saw what it says.
    pub observed_at: NaiveDateTime,
    /// JSON `{field: [old, new]}`.
    pub changes: String,
    /// The hamlet after it.
    pub hamlet_code: String,
    /// Open after it.
    pub is_open: bool,
    /// Criteria true after it.
    pub criteria_true: i32,
}

/// One version in a household's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct Version {
    /// Version number (1: registered).
    pub version: i32,
    /// When the server stored it.
    pub changed_at: DateTime<Utc>,
    /// Who (user id).
    pub changed_by: String,
    /// When the volunteer saw it.
    pub observed_at: DateTime<Utc>,
    /// Each changed field (a criterion is `criteria.<name>`) with its old and new value.
    #[schema(value_type = Object, example = json!({"members": [4, 5], "criteria.internet": [null, true]}))]
    pub changes: serde_json::Value,
}

/// The stored definition of a digital family and a digital residential area in a province.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = digital_family_definitions)]
pub struct DefinitionRow {
    /// The province.
    pub province_code: String,
    /// Comma-separated criteria.
    pub criteria: String,
    /// Least share of digital families, in percent.
    pub residential_area_share: i32,
    /// Who set it.
    pub updated_by: Option<String>,
    /// When.
    pub updated_at: NaiveDateTime,
}

/// A province's definition of a digital family and of a digital residential area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"criteria": ["smart_device", "internet", "vneid_all_adults", "online_public_services", "cashless_payment"], "residential_area_share": 80}))]
pub struct Definition {
    /// A household is a digital family when every one of these is `true`.
    #[schema(min_items = 1, max_items = 8)]
    pub criteria: Vec<Criterion>,
    /// A hamlet is a digital residential area when at least this percentage of its open
    /// households (and at least 10 of them) are digital families.
    #[schema(minimum = 1, maximum = 100)]
    pub residential_area_share: i32,
}

impl Definition {
    /// The movement's default: a smart device, internet, VNeID for every adult, online
    /// public services and cashless payment; 80%.
    pub fn standard() -> Self {
        Self {
            criteria: vec![
                Criterion::SmartDevice,
                Criterion::Internet,
                Criterion::VneidAllAdults,
                Criterion::OnlinePublicServices,
                Criterion::CashlessPayment,
            ],
            residential_area_share: 80,
        }
    }

    /// The criteria as a mask.
    pub fn mask(&self) -> i32 {
        Criterion::mask_of(&self.criteria)
    }
}

impl From<DefinitionRow> for Definition {
    fn from(row: DefinitionRow) -> Self {
        Self {
            criteria: row
                .criteria
                .split(',')
                .filter_map(Criterion::parse)
                .collect(),
            residential_area_share: row.residential_area_share,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_round_trip_through_the_masks() {
        let mut c = Criteria::default();
        c.set(Criterion::SmartDevice, Some(true));
        c.set(Criterion::Internet, Some(false));
        c.set(Criterion::OnlineSafety, Some(true));
        let (t, k) = c.masks();
        assert_eq!(t, 0b1000_0001);
        assert_eq!(k, 0b1000_0011);
        assert_eq!(Criteria::from_masks(t, k), c);
        assert_eq!(Criteria::from_masks(0, 0), Criteria::default());
    }

    #[test]
    fn a_digital_family_has_every_criterion_of_the_definition() {
        let mask = Definition::standard().mask();
        let mut c = Criteria::default();
        for crit in &Definition::standard().criteria {
            c.set(*crit, Some(true));
        }
        let (t, _) = c.masks();
        assert_eq!(t & mask, mask);
        c.set(Criterion::Internet, None);
        let (t, _) = c.masks();
        assert_ne!(t & mask, mask);
    }
}

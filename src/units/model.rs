//! The unit as stored and as shown.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::schema::units;

/// Kind of an administrative unit, as written in the 2025 map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum UnitKind {
    /// Tỉnh (province).
    #[serde(rename = "tinh")]
    Tinh,
    /// Thành phố trực thuộc trung ương (centrally governed city).
    #[serde(rename = "thanh-pho")]
    ThanhPho,
    /// Xã (rural commune).
    #[serde(rename = "xa")]
    Xa,
    /// Phường (urban ward).
    #[serde(rename = "phuong")]
    Phuong,
    /// Đặc khu (special zone).
    #[serde(rename = "dac-khu")]
    DacKhu,
}

impl UnitKind {
    /// Every kind, in the order of the contract.
    pub const ALL: [UnitKind; 5] = [
        Self::Tinh,
        Self::ThanhPho,
        Self::Xa,
        Self::Phuong,
        Self::DacKhu,
    ];

    /// The kind's name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tinh => "tinh",
            Self::ThanhPho => "thanh-pho",
            Self::Xa => "xa",
            Self::Phuong => "phuong",
            Self::DacKhu => "dac-khu",
        }
    }

    /// Parses a stored or submitted kind.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Provinces and centrally governed cities form the upper tier.
    pub fn is_province(self) -> bool {
        matches!(self, Self::Tinh | Self::ThanhPho)
    }
}

/// A unit row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = units)]
pub struct UnitRow {
    /// Official code (2 digits for provinces, 5 for communes).
    pub code: String,
    /// Name as commonly written (`Phường Ba Đình`).
    pub name: String,
    /// Kind as stored.
    pub kind: String,
    /// Province of a commune.
    pub parent_code: Option<String>,
    /// Full official name (`Phường Ba Đình`).
    pub official_name: String,
    /// Folded name for diacritic-insensitive search.
    pub search_text: String,
    /// 0 once the unit left the map; kept because records point at it.
    pub active: bool,
    /// Last import that touched it.
    pub updated_at: NaiveDateTime,
}

/// An administrative unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"code": "00004", "name": "Phường Ba Đình", "kind": "phuong", "parent_code": "01", "official_name": "Phường Ba Đình", "active": true}))]
pub struct Unit {
    /// Official code.
    pub code: String,
    /// Short name.
    pub name: String,
    /// Kind.
    pub kind: UnitKind,
    /// The province a commune belongs to; `null` for provinces.
    pub parent_code: Option<String>,
    /// Full official name.
    pub official_name: String,
    /// `false` once the unit has left the map.
    pub active: bool,
}

impl From<UnitRow> for Unit {
    fn from(row: UnitRow) -> Self {
        Self {
            kind: UnitKind::parse(&row.kind).unwrap_or(UnitKind::Xa),
            code: row.code,
            name: row.name,
            parent_code: row.parent_code,
            official_name: row.official_name,
            active: row.active,
        }
    }
}

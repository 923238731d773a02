//! The unit as stored and as shown.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::schema::units;

crate::text::text_enum! {
    /// Kind of an administrative unit, as written in the 2025 map.
    UnitKind {
        /// Tỉnh (province).
        Tinh => "tinh",
        /// Thành phố trực thuộc trung ương (centrally governed city).
        ThanhPho => "thanh-pho",
        /// Xã (rural commune).
        Xa => "xa",
        /// Phường (urban ward).
        Phuong => "phuong",
        /// Đặc khu (special zone).
        DacKhu => "dac-khu",
    }
}

impl UnitKind {
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
    /// Kind.
    pub kind: UnitKind,
    /// Province of a commune.
    pub parent_code: Option<String>,
    /// Full official name (`Phường Ba Đình`).
    pub official_name: String,
    /// Folded name for diacritic-insensitive search.
    pub search_text: String,
    /// `false` once the unit left the map; kept because records point at it.
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
            kind: row.kind,
            code: row.code,
            name: row.name,
            parent_code: row.parent_code,
            official_name: row.official_name,
            active: row.active,
        }
    }
}

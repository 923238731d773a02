//! The unit as stored and as shown.

use chrono::{NaiveDate, NaiveDateTime};
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
        /// Thôn (village).
        Thon => "thon",
        /// Ấp (hamlet, in the south).
        Ap => "ap",
        /// Bản (mountain village).
        Ban => "ban",
        /// Buôn (Central Highlands village).
        Buon => "buon",
        /// Sóc (Khmer village).
        Soc => "soc",
        /// Tổ dân phố (urban residential group).
        ToDanPho => "to-dan-pho",
        /// Khu phố (urban quarter).
        KhuPho => "khu-pho",
        /// Khóm (urban quarter, in the south).
        Khom => "khom",
        /// Khu dân cư (residential area).
        KhuDanCu => "khu-dan-cu",
    }
}

crate::text::text_enum! {
    /// Where a unit sits in the map.
    UnitLevel {
        /// A province or centrally governed city.
        Province => "province",
        /// A commune, ward or special zone.
        Commune => "commune",
        /// A hamlet, village or residential group of a commune.
        Hamlet => "hamlet",
    }
}

impl UnitKind {
    /// Provinces and centrally governed cities form the upper tier.
    pub fn is_province(self) -> bool {
        matches!(self, Self::Tinh | Self::ThanhPho)
    }

    /// The kinds of hamlets and residential groups, in the contract's order.
    pub fn hamlet_kinds() -> Vec<&'static str> {
        Self::ALL
            .iter()
            .filter(|k| k.level() == UnitLevel::Hamlet)
            .map(|k| k.as_str())
            .collect()
    }

    /// The level units of this kind sit at.
    pub fn level(self) -> UnitLevel {
        match self {
            Self::Tinh | Self::ThanhPho => UnitLevel::Province,
            Self::Xa | Self::Phuong | Self::DacKhu => UnitLevel::Commune,
            _ => UnitLevel::Hamlet,
        }
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

/// An administrative unit: a province, a commune, or a hamlet or residential group of a
/// commune (dated, with its lineage through rearrangements).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"code": "00004", "name": "Phường Ba Đình", "kind": "phuong", "level": "commune", "parent_code": "01", "official_name": "Phường Ba Đình", "active": true, "valid_from": null, "valid_to": null, "predecessors": [], "successors": []}))]
pub struct Unit {
    /// Official code; a hamlet's is `<commune code>-<n>`, given by the server.
    pub code: String,
    /// Short name.
    pub name: String,
    /// Kind.
    pub kind: UnitKind,
    /// Level in the map.
    pub level: UnitLevel,
    /// The province of a commune, the commune of a hamlet; `null` for provinces.
    pub parent_code: Option<String>,
    /// Full official name.
    pub official_name: String,
    /// `false` once the unit has left the map (a hamlet: once its `valid_to` has passed).
    pub active: bool,
    /// A hamlet's first day; `null` for provinces and communes.
    pub valid_from: Option<NaiveDate>,
    /// A hamlet's last day, `null` while it is current.
    pub valid_to: Option<NaiveDate>,
    /// Hamlets this one was made from by a merge or split.
    pub predecessors: Vec<String>,
    /// Hamlets this one was merged or split into.
    pub successors: Vec<String>,
}

impl From<UnitRow> for Unit {
    fn from(row: UnitRow) -> Self {
        Self {
            kind: row.kind,
            level: row.kind.level(),
            code: row.code,
            name: row.name,
            parent_code: row.parent_code,
            official_name: row.official_name,
            active: row.active,
            valid_from: None,
            valid_to: None,
            predecessors: Vec::new(),
            successors: Vec::new(),
        }
    }
}

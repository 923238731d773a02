//! Population figures as stored, as sent and as shown, and which figure a target or a
//! coverage figure is taken of.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::schema::unit_population;

crate::text::text_enum! {
    /// Which population figure a percentage target or a coverage figure is taken of.
    PopulationBase {
        /// Everyone living in the unit.
        Residents => "residents",
        /// Aged 18 and over.
        Adults => "adults",
        /// Aged 15 and over (the age for a digital signature).
        Aged15Plus => "aged_15_plus",
        /// Households.
        Households => "households",
        /// Open households in the register now (`/households`), not a census figure.
        RegisteredHouseholds => "registered_households",
    }
}

/// Population figures of a unit for one reference year, as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = unit_population)]
pub struct PopulationRow {
    /// The unit.
    pub unit_code: String,
    /// Reference year.
    pub year: i32,
    /// Residents.
    pub residents: i64,
    /// Aged 18 and over.
    pub adults: i64,
    /// Aged 15 and over.
    pub aged_15_plus: i64,
    /// Households.
    pub households: i64,
    /// When they were last set.
    pub updated_at: NaiveDateTime,
    /// Who set them (`None`: `gocua import-population`).
    pub updated_by: Option<String>,
}

/// Population figures as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2025, "residents": 9800, "adults": 6200, "aged_15_plus": 6900, "households": 2600}))]
pub struct PopulationInput {
    /// Reference year of the figures (2000–2100).
    pub year: i64,
    /// Everyone living in the unit.
    pub residents: i64,
    /// Aged 18 and over; at most `aged_15_plus`.
    pub adults: i64,
    /// Aged 15 and over; at most `residents`.
    pub aged_15_plus: i64,
    /// Households; at most `residents`.
    pub households: i64,
}

/// A unit's population figures: its own, or the sum of its communes' (`derived`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"unit_code": "00004", "year": 2025, "residents": 9800, "adults": 6200, "aged_15_plus": 6900, "households": 2600, "derived": false}))]
pub struct Population {
    /// The unit.
    pub unit_code: String,
    /// Reference year (for derived figures, the latest year among the communes').
    pub year: i32,
    /// Everyone living in the unit.
    pub residents: i64,
    /// Aged 18 and over.
    pub adults: i64,
    /// Aged 15 and over.
    pub aged_15_plus: i64,
    /// Households.
    pub households: i64,
    /// `true`: the unit has no figures of its own; these are the sums of its communes'
    /// latest figures.
    pub derived: bool,
}

impl Population {
    /// The figure a target or a coverage figure is taken of; `None` for the register's
    /// count, which the register gives (`households::figures::registered`).
    pub fn of(&self, base: PopulationBase) -> Option<i64> {
        match base {
            PopulationBase::Residents => Some(self.residents),
            PopulationBase::Adults => Some(self.adults),
            PopulationBase::Aged15Plus => Some(self.aged_15_plus),
            PopulationBase::Households => Some(self.households),
            PopulationBase::RegisteredHouseholds => None,
        }
    }
}

impl From<PopulationRow> for Population {
    fn from(row: PopulationRow) -> Self {
        Self {
            unit_code: row.unit_code,
            year: row.year,
            residents: row.residents,
            adults: row.adults,
            aged_15_plus: row.aged_15_plus,
            households: row.households,
            derived: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PopulationBase;

    #[test]
    fn population_bases_are_sent_read_and_stored_as_the_contract_spells_them() {
        for (base, text) in [
            (PopulationBase::Residents, "residents"),
            (PopulationBase::Adults, "adults"),
            (PopulationBase::Aged15Plus, "aged_15_plus"),
            (PopulationBase::Households, "households"),
        ] {
            assert_eq!(base.as_str(), text);
            assert_eq!(serde_json::to_value(base).unwrap(), text);
            let read: PopulationBase = serde_json::from_value(text.into()).unwrap();
            assert_eq!(read, base);
        }
        assert!(serde_json::from_value::<PopulationBase>("aged15_plus".into()).is_err());
    }
}

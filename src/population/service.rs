//! The rules figures must meet, the figures a unit goes by (its own latest, or else the sum
//! of its communes' latest; a commune's, of its current hamlets'), setting them with an
//! audit entry, and `gocua import-population`.

use std::collections::HashMap;

use anyhow::{Context, bail};
use diesel::Connection;

use super::model::{Population, PopulationInput, PopulationRow};
use super::queries;
use crate::db::DbConn;
use crate::error::FieldError;
use crate::messages as msg;

/// Reference years accepted.
pub const YEAR_RANGE: (i64, i64) = (2000, 2100);
/// The largest figure accepted: above any province's population.
pub const FIGURE_MAX: i64 = 200_000_000;

/// Checks figures; lists every failing field. Adults are counted among those aged 15 and
/// over, who are counted among the residents; a household has at least one resident.
pub fn check(input: &PopulationInput) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if !(YEAR_RANGE.0..=YEAR_RANGE.1).contains(&input.year) {
        errors.push(FieldError::new(
            "year",
            "out_of_range",
            msg::range(YEAR_RANGE.0, YEAR_RANGE.1),
        ));
    }
    let figures = [
        ("residents", input.residents),
        ("adults", input.adults),
        ("aged_15_plus", input.aged_15_plus),
        ("households", input.households),
    ];
    for (field, value) in figures {
        if !(0..=FIGURE_MAX).contains(&value) {
            errors.push(FieldError::new(
                field,
                "out_of_range",
                msg::range(0, FIGURE_MAX),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if input.adults > input.aged_15_plus {
        errors.push(FieldError::new(
            "adults",
            "inconsistent",
            msg::at_most_field("aged_15_plus"),
        ));
    }
    if input.aged_15_plus > input.residents {
        errors.push(FieldError::new(
            "aged_15_plus",
            "inconsistent",
            msg::at_most_field("residents"),
        ));
    }
    if input.households > input.residents {
        errors.push(FieldError::new(
            "households",
            "inconsistent",
            msg::at_most_field("residents"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The row to store for checked figures.
fn row(code: &str, input: &PopulationInput, by: Option<&str>) -> PopulationRow {
    PopulationRow {
        unit_code: code.to_owned(),
        year: i32::try_from(input.year).unwrap_or_default(),
        residents: input.residents,
        adults: input.adults,
        aged_15_plus: input.aged_15_plus,
        households: input.households,
        updated_at: crate::clock::now(),
        updated_by: by.map(str::to_owned),
    }
}

/// The sum of communes' figures, in the name of their province.
fn derived(code: &str, communes: Vec<PopulationRow>) -> Option<Population> {
    let year = communes.iter().map(|r| r.year).max()?;
    let sum = |f: fn(&PopulationRow) -> i64| communes.iter().map(f).sum();
    Some(Population {
        unit_code: code.to_owned(),
        year,
        residents: sum(|r| r.residents),
        adults: sum(|r| r.adults),
        aged_15_plus: sum(|r| r.aged_15_plus),
        households: sum(|r| r.households),
        derived: true,
    })
}

/// The figures `code` goes by: its own latest, or else the sum of its communes' latest (a
/// commune's: of its current hamlets').
pub fn effective(conn: &mut DbConn, code: &str) -> diesel::QueryResult<Option<Population>> {
    Ok(effective_many(conn, &[code])?.remove(code))
}

/// [`effective`] for many units at once, in two queries; units without figures are left
/// out.
pub fn effective_many(
    conn: &mut DbConn,
    codes: &[&str],
) -> diesel::QueryResult<HashMap<String, Population>> {
    let mut found: HashMap<String, Population> = queries::latest_population(conn, codes)?
        .into_iter()
        .map(|r| (r.unit_code.clone(), r.into()))
        .collect();
    let missing: Vec<&str> = codes
        .iter()
        .copied()
        .filter(|c| !found.contains_key(*c))
        .collect();
    if missing.is_empty() {
        return Ok(found);
    }
    let mut communes: HashMap<String, Vec<PopulationRow>> = HashMap::new();
    for (parent, row) in queries::communes_latest_population(conn, &missing)? {
        communes.entry(parent).or_default().push(row);
    }
    for (parent, rows) in communes {
        if let Some(p) = derived(&parent, rows) {
            found.insert(parent, p);
        }
    }
    let missing: Vec<&str> = missing
        .into_iter()
        .filter(|c| !found.contains_key(*c))
        .collect();
    if missing.is_empty() {
        return Ok(found);
    }
    let mut hamlets: HashMap<String, Vec<PopulationRow>> = HashMap::new();
    let today = crate::clock::today();
    for (commune, row) in queries::hamlets_latest_population(conn, &missing, today)? {
        hamlets.entry(commune).or_default().push(row);
    }
    for (commune, rows) in hamlets {
        if let Some(p) = derived(&commune, rows) {
            found.insert(commune, p);
        }
    }
    Ok(found)
}

/// Stores checked figures of an existing unit and their audit entry in one transaction;
/// returns the figures the unit now goes by.
pub fn set(
    conn: &mut DbConn,
    actor: &str,
    code: &str,
    input: &PopulationInput,
) -> diesel::QueryResult<Population> {
    let row = row(code, input, Some(actor));
    conn.transaction(|conn| {
        queries::upsert_population(conn, std::slice::from_ref(&row))?;
        crate::audit::record(
            conn,
            Some(actor),
            crate::audit::AuditAction::PopulationSet,
            (crate::audit::ObjectKind::Unit, code),
            Some(crate::units::hamlets::commune_of(code).unwrap_or(code)),
            summary(&row),
        )
    })?;
    Ok(effective(conn, code)?.unwrap_or_else(|| row.into()))
}

fn summary(row: &PopulationRow) -> String {
    format!(
        "{}: {} residents, {} adults, {} aged 15+, {} households",
        row.year, row.residents, row.adults, row.aged_15_plus, row.households
    )
}

/// The header `gocua import-population` expects.
pub const CSV_HEADER: [&str; 6] = [
    "code",
    "year",
    "residents",
    "adults",
    "aged_15_plus",
    "households",
];

/// Imports figures from CSV: every row is checked first, and the first bad one is named
/// by its line with nothing stored; otherwise all rows are stored (replacing figures of the
/// same unit and year) with an audit entry each, in one transaction. Returns how many.
pub fn import(conn: &mut DbConn, text: &str) -> anyhow::Result<usize> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .context("reading the header")?
        .iter()
        .map(str::to_owned)
        .collect();
    if header != CSV_HEADER {
        bail!(
            "line 1: the header must be {} (found {})",
            CSV_HEADER.join(","),
            header.join(",")
        );
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.context("reading the file")?;
        let line = record.position().map_or(0, |p| p.line());
        let code = record.get(0).unwrap_or_default().to_owned();
        let number = |i: usize| -> anyhow::Result<i64> {
            let raw = record.get(i).unwrap_or_default();
            raw.parse().with_context(|| {
                format!(
                    "line {line}: {}: {raw:?} is not a whole number",
                    CSV_HEADER[i]
                )
            })
        };
        let input = PopulationInput {
            year: number(1)?,
            residents: number(2)?,
            adults: number(3)?,
            aged_15_plus: number(4)?,
            households: number(5)?,
        };
        if let Err(errors) = check(&input) {
            let first = &errors[0];
            bail!(
                "line {line}: {}: {}",
                first.field,
                first.message.get(msg::Lang::En)
            );
        }
        if crate::units::queries::find(conn, &code)?.is_none()
            && crate::units::hamlets::queries::find(conn, &code)?.is_none()
        {
            bail!("line {line}: code: no unit {code:?} in the map");
        }
        rows.push(row(&code, &input, None));
    }
    let entries: Vec<_> = rows
        .iter()
        .map(|r| {
            crate::audit::Entry::new(
                None,
                crate::audit::AuditAction::PopulationSet,
                (crate::audit::ObjectKind::Unit, &r.unit_code),
                Some(crate::units::hamlets::commune_of(&r.unit_code).unwrap_or(&r.unit_code)),
                summary(r),
            )
        })
        .collect();
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        queries::upsert_population(conn, &rows)?;
        crate::audit::insert_all(conn, &entries)
    })?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(residents: i64, adults: i64, aged_15_plus: i64, households: i64) -> PopulationInput {
        PopulationInput {
            year: 2025,
            residents,
            adults,
            aged_15_plus,
            households,
        }
    }

    fn fields(result: Result<(), Vec<FieldError>>) -> Vec<(String, String)> {
        result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn consistent_figures_pass() {
        assert!(check(&input(9800, 6200, 6900, 2600)).is_ok());
        assert!(check(&input(0, 0, 0, 0)).is_ok());
        assert!(check(&input(5, 5, 5, 5)).is_ok());
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        assert_eq!(
            fields(check(&input(9800, 7000, 6900, 2600))),
            [("adults".to_owned(), "inconsistent".to_owned())]
        );
        assert_eq!(
            fields(check(&input(6000, 6000, 6900, 2600))),
            [("aged_15_plus".to_owned(), "inconsistent".to_owned())]
        );
        assert_eq!(
            fields(check(&input(100, 50, 60, 101))),
            [("households".to_owned(), "inconsistent".to_owned())]
        );
        assert_eq!(
            fields(check(&input(-1, 0, 0, 0))),
            [("residents".to_owned(), "out_of_range".to_owned())]
        );
        let mut old = input(10, 5, 6, 3);
        old.year = 1999;
        assert_eq!(
            fields(check(&old)),
            [("year".to_owned(), "out_of_range".to_owned())]
        );
    }

    #[test]
    fn a_province_without_figures_sums_its_communes_latest() {
        let commune = |code: &str, year, residents| PopulationRow {
            unit_code: code.into(),
            year,
            residents,
            adults: residents / 2,
            aged_15_plus: residents * 3 / 5,
            households: residents / 4,
            updated_at: chrono::NaiveDateTime::default(),
            updated_by: None,
        };
        let p = derived(
            "01",
            vec![commune("00004", 2024, 1000), commune("00008", 2025, 3000)],
        )
        .unwrap();
        assert_eq!(
            (p.year, p.residents, p.adults, p.households),
            (2025, 4000, 2000, 1000)
        );
        assert!(p.derived);
        assert!(derived("01", Vec::new()).is_none());
    }
}

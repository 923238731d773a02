//! Loading the unit map from CSV (`code,name,kind,parent_code,official_name`): the 2025 map
//! is embedded in the binary, and `gocua import-units` applies a newer one.

use std::collections::{HashMap, HashSet};

use anyhow::{Context, bail};
use chrono::Utc;
use diesel::prelude::*;

use super::model::{UnitKind, UnitRow};
use crate::db::{DbConn, dialect};
use crate::schema::units;

/// The 2025 map shipped with the server (34 provinces, 3,321 communes).
pub const EMBEDDED_MAP: &str = include_str!("../../data/units-2025.csv");

/// What an import changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Units new to the database.
    pub inserted: usize,
    /// Units whose name, kind, parent or official name changed, or that came back.
    pub updated: usize,
    /// Units absent from the file, now inactive (never deleted: records point at them).
    pub deactivated: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
struct CsvUnit {
    code: String,
    name: String,
    kind: String,
    parent_code: Option<String>,
    official_name: String,
}

#[derive(Insertable)]
#[diesel(table_name = units)]
struct NewUnit<'a> {
    code: &'a str,
    name: &'a str,
    kind: &'a str,
    parent_code: Option<&'a str>,
    official_name: &'a str,
    search_text: String,
    active: bool,
    updated_at: chrono::NaiveDateTime,
}

/// Parses and checks a map: unique codes, known kinds, provinces without parent, communes
/// under a province of the same file. Returns provinces first so foreign keys hold.
fn parse(csv_text: &str) -> anyhow::Result<Vec<CsvUnit>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(csv_text.as_bytes());
    let mut rows: Vec<CsvUnit> = Vec::new();
    for (i, record) in reader.deserialize::<CsvUnit>().enumerate() {
        let line = i + 2;
        let mut row = record.with_context(|| format!("line {line}"))?;
        row.parent_code = row.parent_code.filter(|p| !p.is_empty());
        if row.code.is_empty() || !row.code.chars().all(|c| c.is_ascii_digit()) {
            bail!("line {line}: code {:?} is not numeric", row.code);
        }
        if row.name.is_empty() || row.official_name.is_empty() {
            bail!("line {line}: name and official_name are required");
        }
        rows.push(row);
    }
    let mut kinds: HashMap<&str, UnitKind> = HashMap::new();
    for row in &rows {
        let kind = UnitKind::parse(&row.kind)
            .filter(|k| k.level() != crate::units::model::UnitLevel::Hamlet)
            .with_context(|| format!("unit {}: unknown kind {:?}", row.code, row.kind))?;
        if kinds.insert(&row.code, kind).is_some() {
            bail!("unit {} appears twice", row.code);
        }
    }
    for row in &rows {
        let kind = kinds[row.code.as_str()];
        match (&row.parent_code, kind.is_province()) {
            (None, true) => {}
            (Some(_), true) => bail!("province {} must not have a parent", row.code),
            (None, false) => bail!("commune {} has no parent_code", row.code),
            (Some(p), false) => match kinds.get(p.as_str()) {
                Some(k) if k.is_province() => {}
                _ => bail!(
                    "commune {}: parent {p} is not a province of this file",
                    row.code
                ),
            },
        }
    }
    rows.sort_by_key(|r| (r.parent_code.is_some(), r.code.clone()));
    Ok(rows)
}

fn search_text(name: &str, official_name: &str) -> String {
    if name == official_name {
        crate::text::fold(name)
    } else {
        crate::text::fold(&format!("{official_name} {name}"))
    }
}

/// Upserts the map by code in one transaction: new units are inserted, changed ones
/// updated, and stored units missing from the file marked inactive.
pub fn import(conn: &mut DbConn, csv_text: &str) -> anyhow::Result<ImportReport> {
    let rows = parse(csv_text)?;
    let now = Utc::now().naive_utc();
    let report = conn.transaction::<_, anyhow::Error, _>(|conn| {
        let existing: HashMap<String, UnitRow> = units::table
            .select(UnitRow::as_select())
            .load(conn)?
            .into_iter()
            .map(|u| (u.code.clone(), u))
            .collect();
        let mut report = ImportReport::default();
        let mut fresh = Vec::new();
        for row in &rows {
            match existing.get(&row.code) {
                None => fresh.push(NewUnit {
                    code: &row.code,
                    name: &row.name,
                    kind: &row.kind,
                    parent_code: row.parent_code.as_deref(),
                    official_name: &row.official_name,
                    search_text: search_text(&row.name, &row.official_name),
                    active: true,
                    updated_at: now,
                }),
                Some(old) => {
                    let same = old.name == row.name
                        && old.kind.as_str() == row.kind
                        && old.parent_code == row.parent_code
                        && old.official_name == row.official_name
                        && old.active;
                    if !same {
                        diesel::update(units::table.find(&row.code))
                            .set((
                                units::name.eq(&row.name),
                                units::kind.eq(&row.kind),
                                units::parent_code.eq(row.parent_code.as_deref()),
                                units::official_name.eq(&row.official_name),
                                units::search_text.eq(search_text(&row.name, &row.official_name)),
                                units::active.eq(true),
                                units::updated_at.eq(now),
                            ))
                            .execute(conn)?;
                        report.updated += 1;
                    }
                }
            }
        }
        // 8 columns per row: 500 rows stay far below SQLite's 32,766 bind parameters.
        for chunk in fresh.chunks(500) {
            report.inserted +=
                dialect::execute(conn, diesel::insert_into(units::table).values(chunk))?;
        }
        let present: HashSet<&str> = rows.iter().map(|r| r.code.as_str()).collect();
        let gone: Vec<&str> = existing
            .values()
            .filter(|u| u.active && !present.contains(u.code.as_str()))
            .map(|u| u.code.as_str())
            .collect();
        for chunk in gone.chunks(500) {
            report.deactivated += diesel::update(units::table.filter(units::code.eq_any(chunk)))
                .set((units::active.eq(false), units::updated_at.eq(now)))
                .execute(conn)?;
        }
        Ok(report)
    })?;
    Ok(report)
}

/// Loads the embedded map when the table is empty (first start); otherwise does nothing.
pub fn load_if_empty(conn: &mut DbConn) -> anyhow::Result<Option<ImportReport>> {
    if super::queries::count(conn)? > 0 {
        return Ok(None);
    }
    import(conn, EMBEDDED_MAP).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_map_has_34_provinces_and_3321_communes() {
        let rows = parse(EMBEDDED_MAP).unwrap();
        let provinces = rows.iter().filter(|r| r.parent_code.is_none()).count();
        assert_eq!(provinces, 34);
        assert_eq!(rows.len() - provinces, 3321);
    }

    #[test]
    fn rejects_orphan_commune() {
        let csv = "code,name,kind,parent_code,official_name\n00001,X,xa,99,Xã X\n";
        assert!(
            parse(csv)
                .unwrap_err()
                .to_string()
                .contains("not a province")
        );
    }

    #[test]
    fn rejects_unknown_kind() {
        let csv = "code,name,kind,parent_code,official_name\n01,X,huyen,,Huyện X\n";
        assert!(parse(csv).unwrap_err().to_string().contains("unknown kind"));
    }
}

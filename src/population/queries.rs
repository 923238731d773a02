//! Every query on `unit_population`.

use diesel::prelude::*;

use super::model::PopulationRow;
use crate::db::{DbConn, dialect};
use crate::schema::{unit_population, units};

/// The latest figures of each of these units that has any.
pub fn latest_population(conn: &mut DbConn, codes: &[&str]) -> QueryResult<Vec<PopulationRow>> {
    let mut rows: Vec<PopulationRow> = Vec::new();
    for chunk in codes.chunks(1000) {
        rows.extend(
            unit_population::table
                .filter(unit_population::unit_code.eq_any(chunk))
                .order((unit_population::unit_code, unit_population::year.desc()))
                .select(PopulationRow::as_select())
                .load(conn)?,
        );
    }
    rows.dedup_by(|later, first| later.unit_code == first.unit_code);
    Ok(rows)
}

/// The latest figures of every commune of these units that has any, with the code of the
/// unit each lies in: one query for a whole breakdown.
pub fn communes_latest_population(
    conn: &mut DbConn,
    parents: &[&str],
) -> QueryResult<Vec<(String, PopulationRow)>> {
    let mut rows: Vec<(String, PopulationRow)> = Vec::new();
    for chunk in parents.chunks(1000) {
        rows.extend(
            unit_population::table
                .inner_join(units::table)
                .filter(units::parent_code.eq_any(chunk))
                .order((unit_population::unit_code, unit_population::year.desc()))
                .select((
                    units::parent_code.assume_not_null(),
                    PopulationRow::as_select(),
                ))
                .load::<(String, PopulationRow)>(conn)?,
        );
    }
    rows.dedup_by(|later, first| later.1.unit_code == first.1.unit_code);
    Ok(rows)
}

/// Stores figures, replacing those of the same unit and year.
pub fn upsert_population(conn: &mut DbConn, rows: &[PopulationRow]) -> QueryResult<()> {
    use diesel::upsert::excluded;
    use unit_population::dsl as p;
    macro_rules! upsert {
        ($rows:expr) => {
            diesel::insert_into(unit_population::table)
                .values($rows)
                .on_conflict((p::unit_code, p::year))
                .do_update()
                .set((
                    p::residents.eq(excluded(p::residents)),
                    p::adults.eq(excluded(p::adults)),
                    p::aged_15_plus.eq(excluded(p::aged_15_plus)),
                    p::households.eq(excluded(p::households)),
                    p::updated_at.eq(excluded(p::updated_at)),
                    p::updated_by.eq(excluded(p::updated_by)),
                ))
        };
    }
    // 8 columns a row: 1,000 rows stay under SQLite's bind limit.
    dialect::upsert_all(conn, rows, 1000, |rows| upsert!(rows), |row| upsert!(row))
}

/// The latest figures of every current hamlet of these communes that has any, with its
/// commune: what a commune without figures of its own goes by.
pub fn hamlets_latest_population(
    conn: &mut DbConn,
    communes: &[&str],
    today: chrono::NaiveDate,
) -> QueryResult<Vec<(String, PopulationRow)>> {
    use crate::schema::hamlets;
    let mut rows: Vec<(String, PopulationRow)> = Vec::new();
    for chunk in communes.chunks(1000) {
        rows.extend(
            unit_population::table
                .inner_join(hamlets::table.on(hamlets::code.eq(unit_population::unit_code)))
                .filter(hamlets::commune_code.eq_any(chunk))
                .filter(hamlets::valid_from.le(today))
                .filter(hamlets::valid_to.is_null().or(hamlets::valid_to.ge(today)))
                .order((unit_population::unit_code, unit_population::year.desc()))
                .select((hamlets::commune_code, PopulationRow::as_select()))
                .load::<(String, PopulationRow)>(conn)?,
        );
    }
    rows.dedup_by(|later, first| later.1.unit_code == first.1.unit_code);
    Ok(rows)
}

//! Distinct citizens and volunteers over any period, from `distinct_spans`.
//!
//! A person counts once in `[from, to]`: on their first counted day in it, the one whose
//! previous counted day in the same unit is before `from` (or who has none). So each unit
//! (commune, province, and `""` for the country) keeps, per pair of a day and the previous
//! day, how many people have that pair, and a period's distinct count is the sum of its
//! days' pairs whose previous day is before `from`. A person's first day is stored with
//! itself as the previous day. A statistic then reads a few hundred rows per commune instead
//! of every citizen's day or a probe per volunteer (10 million records: ~100,000 citizens'
//! days and ~1,500 volunteers per province).
//!
//! The pairs change only when a person's set of counted days in a unit does, so the writer
//! stores its rollup rows first, learns their new totals from the same statements, and only
//! for people with a row that started or stopped counting locks them
//! ([`dialect::lock_people`], on PostgreSQL), reads their days and stores the difference
//! between the pairs before and after. The lock makes two such transactions derive pairs
//! one after the other; a writer whose rows stay above zero changes no day's standing, so
//! its uncommitted totals never matter.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::db::{DbConn, dialect};
use crate::schema::{citizen_rollups, daily_rollups, distinct_spans, units};

/// `kind` of the citizens' spans (`unique_citizens_assisted`).
pub const CITIZENS: &str = "citizens";
/// `kind` of the volunteers' spans (`active_volunteers`).
pub const VOLUNTEERS: &str = "volunteers";

/// One person's numbers per place and day: `(province, commune, day)` → records counted
/// and approved there (a day counts when its number is above zero).
pub type Days = BTreeMap<(String, String, NaiveDate), (i64, i64)>;

/// `distinct_spans` rows: `(kind, unit, day, previous day)` → people counted, approved.
pub type Spans = HashMap<(&'static str, String, NaiveDate, NaiveDate), (i32, i32)>;

/// The `&'static` name of a stored `kind`.
fn kind_of(stored: &str) -> &'static str {
    if stored == VOLUNTEERS {
        VOLUNTEERS
    } else {
        CITIZENS
    }
}

/// Adds (`sign` = 1) or removes (-1) the pairs of one person's days.
pub fn add(out: &mut Spans, kind: &'static str, days: &Days, sign: i32) {
    let mut per_unit: BTreeMap<&str, (BTreeSet<NaiveDate>, BTreeSet<NaiveDate>)> = BTreeMap::new();
    for ((province, commune, day), (counted, approved)) in days {
        for unit in [commune.as_str(), province.as_str(), ""] {
            let (c, a) = per_unit.entry(unit).or_default();
            if *counted > 0 {
                c.insert(*day);
            }
            if *approved > 0 {
                a.insert(*day);
            }
        }
    }
    for (unit, (counted, approved)) in per_unit {
        let mut prev = None;
        for day in counted {
            let key = (kind, unit.to_owned(), day, prev.unwrap_or(day));
            out.entry(key).or_default().0 += sign;
            prev = Some(day);
        }
        let mut prev = None;
        for day in approved {
            let key = (kind, unit.to_owned(), day, prev.unwrap_or(day));
            out.entry(key).or_default().1 += sign;
            prev = Some(day);
        }
    }
}

/// The change to the pairs when people's days change by `deltas`, from their days
/// `before`. Most changes (another record on a day that already counts) change none.
pub fn changes(
    out: &mut Spans,
    kind: &'static str,
    before: &HashMap<String, Days>,
    deltas: &HashMap<String, Days>,
) {
    let empty = Days::new();
    for (who, delta) in deltas {
        let old = before.get(who).unwrap_or(&empty);
        let mut new = old.clone();
        let mut moved = false;
        for (place, (c, a)) in delta {
            let (oc, oa) = old.get(place).copied().unwrap_or_default();
            let entry = new.entry(place.clone()).or_default();
            entry.0 += c;
            entry.1 += a;
            moved |= (oc > 0) != (entry.0 > 0) || (oa > 0) != (entry.1 > 0);
        }
        if moved {
            add(out, kind, old, -1);
            add(out, kind, &new, 1);
        }
    }
}

/// [`changes`] from people's days read *after* the deltas were stored (the writer stores
/// them first, which locks its rows, and reads only when a day may have started or stopped
/// counting): the days before are those minus the deltas.
pub fn changes_after(
    out: &mut Spans,
    kind: &'static str,
    after: &HashMap<String, Days>,
    deltas: &HashMap<String, Days>,
) {
    let mut before: HashMap<String, Days> = HashMap::new();
    for (who, delta) in deltas {
        let mut days = after.get(who).cloned().unwrap_or_default();
        for (place, (c, a)) in delta {
            let e = days.entry(place.clone()).or_default();
            e.0 -= c;
            e.1 -= a;
        }
        before.insert(who.clone(), days);
    }
    changes(out, kind, &before, deltas);
}

/// Sorts out the pairs that did not change, in key order (the order every writer locks
/// rows in).
fn sorted(spans: &Spans) -> Vec<SpanRow<'_>> {
    let mut rows: Vec<SpanRow> = spans
        .iter()
        .filter(|(_, v)| **v != (0, 0))
        .map(|((kind, unit, day, prev), (counted, approved))| SpanRow {
            kind,
            unit_code: unit,
            day: *day,
            prev_day: *prev,
            counted: *counted,
            approved: *approved,
        })
        .collect();
    rows.sort_unstable_by_key(|r| (r.kind, r.unit_code, r.day, r.prev_day));
    rows
}

#[derive(Insertable)]
#[diesel(table_name = distinct_spans)]
struct SpanRow<'a> {
    kind: &'a str,
    unit_code: &'a str,
    day: NaiveDate,
    prev_day: NaiveDate,
    counted: i32,
    approved: i32,
}

/// Rows per multi-row upsert on PostgreSQL.
const UPSERT_CHUNK: usize = 2000;
/// People read per statement.
const LOOKUP_CHUNK: usize = 2000;

/// Adds pair changes to `distinct_spans`. Call inside the change's transaction.
pub fn write(conn: &mut DbConn, spans: &Spans) -> QueryResult<()> {
    use distinct_spans as s;
    let rows = sorted(spans);
    let keys = (s::kind, s::unit_code, s::day, s::prev_day);
    let set = (
        s::counted.eq(s::counted + excluded(s::counted)),
        s::approved.eq(s::approved + excluded(s::approved)),
    );
    dialect::upsert_all(
        conn,
        &rows,
        UPSERT_CHUNK,
        |rows| {
            diesel::insert_into(s::table)
                .values(rows)
                .on_conflict(keys)
                .do_update()
                .set(set)
        },
        |row| {
            diesel::insert_into(s::table)
                .values(row)
                .on_conflict(keys)
                .do_update()
                .set(set)
        },
    )
}

/// The days of these citizens (by number), keyed by the number as text.
pub fn citizen_days(conn: &mut DbConn, numbers: &[i64]) -> QueryResult<HashMap<String, Days>> {
    use citizen_rollups as c;
    let mut out: HashMap<String, Days> = HashMap::new();
    for chunk in numbers.chunks(LOOKUP_CHUNK) {
        let rows: Vec<(i64, String, String, NaiveDate, i32, i32)> = c::table
            .filter(c::citizen_id.eq_any(chunk))
            .select((
                c::citizen_id,
                c::province_code,
                c::commune_code,
                c::day,
                c::counted,
                c::approved,
            ))
            .load(conn)?;
        for (number, province, commune, day, counted, approved) in rows {
            tally(
                &mut out,
                number.to_string(),
                (province, commune, day),
                counted,
                approved,
            );
        }
    }
    Ok(out)
}

/// The days of these volunteers, summed over their teams.
pub fn volunteer_days(conn: &mut DbConn, ids: &[&str]) -> QueryResult<HashMap<String, Days>> {
    use daily_rollups as d;
    let mut out: HashMap<String, Days> = HashMap::new();
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let rows: Vec<(String, Option<String>, String, NaiveDate, i32, i32)> = d::table
            .inner_join(units::table.on(units::code.eq(d::commune_code)))
            .filter(d::volunteer_id.eq_any(chunk))
            .select((
                d::volunteer_id,
                units::parent_code,
                d::commune_code,
                d::day,
                d::records,
                d::records_approved,
            ))
            .load(conn)?;
        for (volunteer, province, commune, day, counted, approved) in rows {
            let province = province.unwrap_or_else(|| commune.clone());
            tally(
                &mut out,
                volunteer,
                (province, commune, day),
                counted,
                approved,
            );
        }
    }
    Ok(out)
}

/// Adds one rollup row (or delta) to a person's day (a volunteer's teams share a day).
pub fn tally(
    out: &mut HashMap<String, Days>,
    person: String,
    place_day: (String, String, NaiveDate),
    counted: i32,
    approved: i32,
) {
    let e = out.entry(person).or_default().entry(place_day).or_default();
    e.0 += i64::from(counted);
    e.1 += i64::from(approved);
}

/// Runs `change`, which moves some of citizen `from`'s rows to `fresh` (a number with no
/// rows yet), and keeps their pairs right. The change runs first, locking the rows it
/// moves, and the two people are locked and read after it, in the writer's order (rollup
/// rows, then people), so an erasure and a concurrent writer never wait for each other.
/// Before the change, `from` had the rows both have after it.
pub fn around_move<T>(
    conn: &mut DbConn,
    from: i64,
    fresh: i64,
    change: impl FnOnce(&mut DbConn) -> QueryResult<T>,
) -> QueryResult<T> {
    let out = change(conn)?;
    dialect::lock_people(conn, &[], &[from, fresh])?;
    let after = citizen_days(conn, &[from, fresh])?;
    let mut before = after.get(&from.to_string()).cloned().unwrap_or_default();
    for (place, (c, a)) in after.get(&fresh.to_string()).into_iter().flatten() {
        let e = before.entry(place.clone()).or_default();
        e.0 += c;
        e.1 += a;
    }
    let mut spans = Spans::new();
    add(&mut spans, CITIZENS, &before, -1);
    for days in after.values() {
        add(&mut spans, CITIZENS, days, 1);
    }
    write(conn, &spans)?;
    Ok(out)
}

/// What `distinct_spans` holds, zero rows left out.
pub fn stored(conn: &mut DbConn) -> QueryResult<Spans> {
    use distinct_spans as s;
    let rows: Vec<(String, String, NaiveDate, NaiveDate, i32, i32)> = s::table
        .select((
            s::kind,
            s::unit_code,
            s::day,
            s::prev_day,
            s::counted,
            s::approved,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|r| (r.4, r.5) != (0, 0))
        .map(|(kind, unit, day, prev, c, a)| ((kind_of(&kind), unit, day, prev), (c, a)))
        .collect())
}

/// Which units' pairs a read sums.
#[derive(Debug, Clone)]
pub enum Units {
    /// These units (a province, or communes, or `""` for the country).
    These(Vec<String>),
    /// Every commune.
    Communes,
}

/// How a read groups its sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    /// One number per unit.
    Unit,
    /// One number per day, over all the units read (one unit, so nobody counts twice).
    Day,
}

/// Distinct people of `kind` in `units` over `[from, to]`, per unit or per day.
pub fn distinct(
    conn: &mut DbConn,
    kind: &'static str,
    units: &Units,
    from: NaiveDate,
    to: NaiveDate,
    approved_only: bool,
    per: Per,
) -> QueryResult<Vec<(String, i64)>> {
    use diesel::dsl::sum;
    use distinct_spans as s;
    let list: Vec<String> = match units {
        Units::These(list) => list.clone(),
        Units::Communes => units::table
            .filter(units::parent_code.is_not_null())
            .select(units::code)
            .load(conn)?,
    };
    macro_rules! run {
        ($column:expr) => {
            match per {
                Per::Unit => s::table
                    .group_by(s::unit_code)
                    .select((s::unit_code, sum($column)))
                    .filter(s::kind.eq(kind))
                    .filter(s::unit_code.eq_any(&list))
                    .filter(s::day.ge(from))
                    .filter(s::day.le(to))
                    .filter(s::prev_day.lt(from).or(s::prev_day.eq(s::day)))
                    .load::<(String, Option<i64>)>(conn)?
                    .into_iter()
                    .map(|(k, n)| (k, n.unwrap_or(0)))
                    .collect(),
                Per::Day => s::table
                    .group_by(s::day)
                    .select((s::day, sum($column)))
                    .filter(s::kind.eq(kind))
                    .filter(s::unit_code.eq_any(&list))
                    .filter(s::day.ge(from))
                    .filter(s::day.le(to))
                    .load::<(NaiveDate, Option<i64>)>(conn)?
                    .into_iter()
                    .map(|(k, n)| (k.to_string(), n.unwrap_or(0)))
                    .collect(),
            }
        };
    }
    let rows: Vec<(String, i64)> = if approved_only {
        run!(s::approved)
    } else {
        run!(s::counted)
    };
    Ok(rows.into_iter().filter(|(_, n)| *n != 0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn days(list: &[(&str, u32, i64, i64)]) -> Days {
        list.iter()
            .map(|(commune, d, c, a)| (("79".to_owned(), (*commune).to_owned(), day(*d)), (*c, *a)))
            .collect()
    }

    /// Distinct people in `unit` over `[from, to]`, summed from pairs as the read does.
    fn count(spans: &Spans, unit: &str, from: u32, to: u32) -> i32 {
        spans
            .iter()
            .filter(|((_, u, d, p), _)| {
                u == unit && *d >= day(from) && *d <= day(to) && (*p < day(from) || p == d)
            })
            .map(|(_, (c, _))| c)
            .sum()
    }

    #[test]
    fn pairs_count_each_person_once_in_any_period() {
        let mut spans = Spans::new();
        // One person on days 1, 5 and 9 in commune A; another on 5 in A and 6 in B.
        add(
            &mut spans,
            CITIZENS,
            &days(&[("A", 1, 1, 0), ("A", 5, 2, 0), ("A", 9, 1, 0)]),
            1,
        );
        add(
            &mut spans,
            CITIZENS,
            &days(&[("A", 5, 1, 1), ("B", 6, 1, 0)]),
            1,
        );
        for (from, to, a, b, province) in [
            (1, 30, 2, 1, 2),
            (2, 4, 0, 0, 0),
            (2, 5, 2, 0, 2),
            (6, 9, 1, 1, 2),
            (6, 6, 0, 1, 1),
            (9, 9, 1, 0, 1),
            (10, 30, 0, 0, 0),
        ] {
            assert_eq!(count(&spans, "A", from, to), a, "A {from}..{to}");
            assert_eq!(count(&spans, "B", from, to), b, "B {from}..{to}");
            assert_eq!(count(&spans, "79", from, to), province, "79 {from}..{to}");
            assert_eq!(
                count(&spans, "", from, to),
                province,
                "country {from}..{to}"
            );
        }
        let approved: i32 = spans.values().map(|v| v.1).sum();
        assert_eq!(
            approved, 3,
            "the second person's one approved day, in A, 79 and the country"
        );
    }

    #[test]
    fn a_change_stores_only_the_difference() {
        let before: HashMap<String, Days> =
            [("p".to_owned(), days(&[("A", 1, 1, 0), ("A", 9, 1, 0)]))].into();
        // Another record on day 1 changes no pair.
        let mut out = Spans::new();
        changes(
            &mut out,
            VOLUNTEERS,
            &before,
            &[("p".to_owned(), days(&[("A", 1, 1, 0)]))].into(),
        );
        assert!(out.is_empty());
        // A first record on day 5 splits the pair (9, 1) into (5, 1) and (9, 5).
        changes(
            &mut out,
            VOLUNTEERS,
            &before,
            &[("p".to_owned(), days(&[("A", 5, 1, 0)]))].into(),
        );
        let changed: BTreeMap<_, _> = out
            .iter()
            .filter(|(k, v)| k.1 == "A" && **v != (0, 0))
            .map(|(k, v)| ((k.2, k.3), v.0))
            .collect();
        assert_eq!(
            changed,
            [
                ((day(5), day(1)), 1),
                ((day(9), day(1)), -1),
                ((day(9), day(5)), 1)
            ]
            .into()
        );
        // Removing the last record of day 1 makes day 9 the first.
        let mut out = Spans::new();
        changes(
            &mut out,
            VOLUNTEERS,
            &before,
            &[("p".to_owned(), days(&[("A", 1, -1, 0)]))].into(),
        );
        let changed: BTreeMap<_, _> = out
            .iter()
            .filter(|(k, v)| k.1 == "A" && **v != (0, 0))
            .map(|(k, v)| ((k.2, k.3), v.0))
            .collect();
        assert_eq!(
            changed,
            [
                ((day(1), day(1)), -1),
                ((day(9), day(1)), -1),
                ((day(9), day(9)), 1)
            ]
            .into()
        );
    }

    #[test]
    fn changes_read_after_the_write_equal_changes_read_before() {
        let before: HashMap<String, Days> = [
            ("p".to_owned(), days(&[("A", 1, 1, 0), ("A", 9, 2, 1)])),
            ("q".to_owned(), days(&[("B", 3, 1, 1)])),
        ]
        .into();
        for delta in [
            days(&[("A", 1, 1, 0)]),
            days(&[("A", 5, 1, 1)]),
            days(&[("A", 1, -1, 0), ("B", 2, 1, 0)]),
            days(&[("A", 9, 0, -1)]),
        ] {
            let deltas: HashMap<String, Days> = [
                ("p".to_owned(), delta.clone()),
                ("r".to_owned(), delta.clone()),
            ]
            .into();
            let mut after = before.clone();
            for (who, d) in &deltas {
                let days = after.entry(who.clone()).or_default();
                for (place, (c, a)) in d {
                    let e = days.entry(place.clone()).or_default();
                    e.0 += c;
                    e.1 += a;
                }
            }
            let (mut expected, mut got) = (Spans::new(), Spans::new());
            changes(&mut expected, CITIZENS, &before, &deltas);
            changes_after(&mut got, CITIZENS, &after, &deltas);
            expected.retain(|_, v| *v != (0, 0));
            got.retain(|_, v| *v != (0, 0));
            assert_eq!(got, expected, "{delta:?}");
        }
    }
}

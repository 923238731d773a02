//! The household counts behind `stats/households`: open households per hamlet now, and the
//! change of each count per hamlet and local day, so a province of a million households is
//! counted from a few thousand rows, today or as of any past day (today's less the changes
//! after it). Every change of a household's hamlet, openness or criteria moves them in its
//! own transaction; the day is the server's day of the change, so a certified past day
//! never moves when a late phone syncs. A province's new definition of a digital family
//! rebuilds its counts from the history (`rebuild`), since it applies to past days too.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::model::{Criterion, Definition, Placed};
use super::queries;
use crate::db::{DbConn, dialect};
use crate::schema::{
    household_count_days as days, household_counts as now, household_versions as v, households as h,
};

/// Counts of open households: all of them, digital families, and each criterion true.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Open households.
    pub households: i32,
    /// Digital families among them.
    pub digital_families: i32,
    /// Households with each criterion true, in [`Criterion::ALL`] order.
    pub criteria: [i32; 8],
}

impl Counts {
    /// One household with this mask, judged by `definition`.
    fn one(mask: i32, definition: i32, sign: i32) -> Self {
        let mut criteria = [0; 8];
        for (i, c) in Criterion::ALL.iter().enumerate() {
            if mask & c.bit() != 0 {
                criteria[i] = sign;
            }
        }
        Self {
            households: sign,
            digital_families: if mask & definition == definition {
                sign
            } else {
                0
            },
            criteria,
        }
    }

    /// Adds another.
    pub fn add(&mut self, o: &Self) {
        self.households += o.households;
        self.digital_families += o.digital_families;
        for (a, b) in self.criteria.iter_mut().zip(o.criteria) {
            *a += b;
        }
    }

    /// Takes another away.
    pub fn sub(&mut self, o: &Self) {
        let mut neg = *o;
        neg.households = -neg.households;
        neg.digital_families = -neg.digital_families;
        for c in &mut neg.criteria {
            *c = -*c;
        }
        self.add(&neg);
    }

    fn is_zero(&self) -> bool {
        *self == Self::default()
    }
}

/// A row of either table.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = now)]
pub struct CountRow {
    hamlet_code: String,
    commune_code: String,
    households: i32,
    digital_families: i32,
    smart_device: i32,
    internet: i32,
    vneid_all_adults: i32,
    online_public_services: i32,
    cashless_payment: i32,
    digital_skills: i32,
    digital_signature: i32,
    online_safety: i32,
}

/// A day's change of a hamlet's counts.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = days)]
pub struct DayRow {
    hamlet_code: String,
    day: NaiveDate,
    commune_code: String,
    households: i32,
    digital_families: i32,
    smart_device: i32,
    internet: i32,
    vneid_all_adults: i32,
    online_public_services: i32,
    cashless_payment: i32,
    digital_skills: i32,
    digital_signature: i32,
    online_safety: i32,
}

impl CountRow {
    fn new(hamlet: &str, commune: &str, c: &Counts) -> Self {
        let k = c.criteria;
        Self {
            hamlet_code: hamlet.to_owned(),
            commune_code: commune.to_owned(),
            households: c.households,
            digital_families: c.digital_families,
            smart_device: k[0],
            internet: k[1],
            vneid_all_adults: k[2],
            online_public_services: k[3],
            cashless_payment: k[4],
            digital_skills: k[5],
            digital_signature: k[6],
            online_safety: k[7],
        }
    }

    /// Its hamlet, commune and counts.
    pub fn parts(self) -> (String, String, Counts) {
        let counts = Counts {
            households: self.households,
            digital_families: self.digital_families,
            criteria: [
                self.smart_device,
                self.internet,
                self.vneid_all_adults,
                self.online_public_services,
                self.cashless_payment,
                self.digital_skills,
                self.digital_signature,
                self.online_safety,
            ],
        };
        (self.hamlet_code, self.commune_code, counts)
    }

    fn on(self, day: NaiveDate) -> DayRow {
        DayRow {
            hamlet_code: self.hamlet_code,
            day,
            commune_code: self.commune_code,
            households: self.households,
            digital_families: self.digital_families,
            smart_device: self.smart_device,
            internet: self.internet,
            vneid_all_adults: self.vneid_all_adults,
            online_public_services: self.online_public_services,
            cashless_payment: self.cashless_payment,
            digital_skills: self.digital_skills,
            digital_signature: self.digital_signature,
            online_safety: self.online_safety,
        }
    }
}

impl DayRow {
    /// As a count row (the day dropped).
    pub fn counts(self) -> CountRow {
        CountRow {
            hamlet_code: self.hamlet_code,
            commune_code: self.commune_code,
            households: self.households,
            digital_families: self.digital_families,
            smart_device: self.smart_device,
            internet: self.internet,
            vneid_all_adults: self.vneid_all_adults,
            online_public_services: self.online_public_services,
            cashless_payment: self.cashless_payment,
            digital_skills: self.digital_skills,
            digital_signature: self.digital_signature,
            online_safety: self.online_safety,
        }
    }
}

/// The digital-family mask of each commune's province.
fn masks(conn: &mut DbConn, communes: &[String]) -> QueryResult<HashMap<String, i32>> {
    let provinces = queries::provinces_of(conn, communes)?;
    let mut wanted: Vec<String> = provinces.values().cloned().collect();
    wanted.sort();
    wanted.dedup();
    let defs = queries::definitions(conn, &wanted)?;
    let standard = Definition::standard().mask();
    Ok(communes
        .iter()
        .map(|c| {
            let mask = provinces
                .get(c)
                .and_then(|p| defs.get(p))
                .map_or(standard, |d| Definition::from(d.clone()).mask());
            (c.clone(), mask)
        })
        .collect())
}

/// Moves the counts for changes made at `at` (`None`: not open there).
pub fn apply(
    conn: &mut DbConn,
    changes: &[(Option<Placed>, Option<Placed>)],
    at: NaiveDateTime,
) -> QueryResult<()> {
    let mut communes: Vec<String> = changes
        .iter()
        .flat_map(|(a, b)| [a, b])
        .flatten()
        .map(|p| p.commune.clone())
        .collect();
    communes.sort();
    communes.dedup();
    let masks = masks(conn, &communes)?;
    let mut deltas: HashMap<(String, String), Counts> = HashMap::new();
    for (before, after) in changes {
        if before == after {
            continue;
        }
        for (placed, sign) in [(before, -1), (after, 1)] {
            if let Some(p) = placed {
                let def = masks.get(&p.commune).copied().unwrap_or(0);
                deltas
                    .entry((p.hamlet.clone(), p.commune.clone()))
                    .or_default()
                    .add(&Counts::one(p.mask, def, sign));
            }
        }
    }
    let day = crate::clock::local_day(at.and_utc());
    for ((hamlet, commune), delta) in deltas {
        if delta.is_zero() {
            continue;
        }
        let row = CountRow::new(&hamlet, &commune, &delta);
        add_now(conn, &row)?;
        add_day(conn, &row.on(day))?;
    }
    Ok(())
}

fn add_now(conn: &mut DbConn, row: &CountRow) -> QueryResult<()> {
    dialect::execute(
        conn,
        diesel::insert_into(now::table)
            .values(row)
            .on_conflict(now::hamlet_code)
            .do_update()
            .set((
                now::households.eq(now::households + excluded(now::households)),
                now::digital_families.eq(now::digital_families + excluded(now::digital_families)),
                now::smart_device.eq(now::smart_device + excluded(now::smart_device)),
                now::internet.eq(now::internet + excluded(now::internet)),
                now::vneid_all_adults.eq(now::vneid_all_adults + excluded(now::vneid_all_adults)),
                now::online_public_services
                    .eq(now::online_public_services + excluded(now::online_public_services)),
                now::cashless_payment.eq(now::cashless_payment + excluded(now::cashless_payment)),
                now::digital_skills.eq(now::digital_skills + excluded(now::digital_skills)),
                now::digital_signature
                    .eq(now::digital_signature + excluded(now::digital_signature)),
                now::online_safety.eq(now::online_safety + excluded(now::online_safety)),
            )),
    )?;
    Ok(())
}

fn add_day(conn: &mut DbConn, row: &DayRow) -> QueryResult<()> {
    dialect::execute(
        conn,
        diesel::insert_into(days::table)
            .values(row)
            .on_conflict((days::commune_code, days::day, days::hamlet_code))
            .do_update()
            .set((
                days::households.eq(days::households + excluded(days::households)),
                days::digital_families
                    .eq(days::digital_families + excluded(days::digital_families)),
                days::smart_device.eq(days::smart_device + excluded(days::smart_device)),
                days::internet.eq(days::internet + excluded(days::internet)),
                days::vneid_all_adults
                    .eq(days::vneid_all_adults + excluded(days::vneid_all_adults)),
                days::online_public_services
                    .eq(days::online_public_services + excluded(days::online_public_services)),
                days::cashless_payment
                    .eq(days::cashless_payment + excluded(days::cashless_payment)),
                days::digital_skills.eq(days::digital_skills + excluded(days::digital_skills)),
                days::digital_signature
                    .eq(days::digital_signature + excluded(days::digital_signature)),
                days::online_safety.eq(days::online_safety + excluded(days::online_safety)),
            )),
    )?;
    Ok(())
}

/// Rebuilds the counts of these communes from the households' history (a province's new
/// definition; the benchmark's seed). Call it inside a transaction.
pub fn rebuild(conn: &mut DbConn, communes: &[String]) -> QueryResult<()> {
    let masks = masks(conn, communes)?;
    for commune in communes {
        diesel::delete(now::table.filter(now::commune_code.eq(commune))).execute(conn)?;
        diesel::delete(days::table.filter(days::commune_code.eq(commune))).execute(conn)?;
        let def = masks.get(commune).copied().unwrap_or(0);
        let history: Vec<(String, NaiveDateTime, String, bool, i32)> = v::table
            .inner_join(h::table.on(h::id.eq(v::household_id)))
            .filter(h::commune_code.eq(commune))
            .order((v::household_id.asc(), v::version.asc()))
            .select((
                v::household_id,
                v::changed_at,
                v::hamlet_code,
                v::is_open,
                v::criteria_true,
            ))
            .load(conn)?;
        let mut current: HashMap<String, Counts> = HashMap::new();
        let mut by_day: HashMap<(String, NaiveDate), Counts> = HashMap::new();
        let mut last: Option<(String, Option<(String, i32)>)> = None;
        for (id, at, hamlet, open, mask) in history {
            let before = match &last {
                Some((prev, state)) if *prev == id => state.clone(),
                _ => None,
            };
            let after = open.then_some((hamlet, mask));
            if before != after {
                let day = crate::clock::local_day(at.and_utc());
                if let Some((hm, m)) = &before {
                    let one = Counts::one(*m, def, 1);
                    by_day.entry((hm.clone(), day)).or_default().sub(&one);
                    current.entry(hm.clone()).or_default().sub(&one);
                }
                if let Some((hm, m)) = &after {
                    let one = Counts::one(*m, def, 1);
                    by_day.entry((hm.clone(), day)).or_default().add(&one);
                    current.entry(hm.clone()).or_default().add(&one);
                }
            }
            last = Some((id, after));
        }
        let now_rows: Vec<CountRow> = current
            .iter()
            .filter(|(_, c)| !c.is_zero())
            .map(|(hm, c)| CountRow::new(hm, commune, c))
            .collect();
        for chunk in now_rows.chunks(2000) {
            dialect::execute(conn, diesel::insert_into(now::table).values(chunk))?;
        }
        let day_rows: Vec<DayRow> = by_day
            .iter()
            .filter(|(_, c)| !c.is_zero())
            .map(|((hm, day), c)| CountRow::new(hm, commune, c).on(*day))
            .collect();
        for chunk in day_rows.chunks(2000) {
            dialect::execute(conn, diesel::insert_into(days::table).values(chunk))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Counts;

    #[test]
    fn one_household_counts_its_criteria_and_the_definition() {
        let def = 0b0000_0011;
        let c = Counts::one(0b0000_0111, def, 1);
        assert_eq!(c.households, 1);
        assert_eq!(c.digital_families, 1);
        assert_eq!(c.criteria, [1, 1, 1, 0, 0, 0, 0, 0]);
        let not = Counts::one(0b0000_0101, def, 1);
        assert_eq!(not.digital_families, 0);
        let mut sum = c;
        sum.sub(&c);
        assert_eq!(sum, Counts::default());
    }
}

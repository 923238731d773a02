//! Reporting periods, a month (`2026-11`) or an ISO week (`2026-W47`), and whether a
//! commune's period is locked by an accepted certification. Shared below the domains: the
//! certifications lock periods, the records service refuses changes inside them.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::certifications;

/// A month or an ISO week, as the API writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// A calendar month.
    Month { year: i32, month: u32 },
    /// An ISO 8601 week (Monday to Sunday; week 1 holds the year's first Thursday).
    Week { year: i32, week: u32 },
}

impl Period {
    /// Reads `YYYY-MM` or `YYYY-Www`; `None` for anything else, a month 13 or a week 54
    /// included.
    pub fn parse(text: &str) -> Option<Self> {
        let (year, rest) = text.split_once('-')?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
        let period = match rest.strip_prefix('W') {
            Some(week) if digits(week) => Self::Week {
                year,
                week: week.parse().ok()?,
            },
            None if digits(rest) => Self::Month {
                year,
                month: rest.parse().ok()?,
            },
            _ => return None,
        };
        period.first_day().map(|_| period)
    }

    /// Its first day.
    pub fn first_day(self) -> Option<NaiveDate> {
        match self {
            Self::Month { year, month } => NaiveDate::from_ymd_opt(year, month, 1),
            Self::Week { year, week } => NaiveDate::from_isoywd_opt(year, week, Weekday::Mon),
        }
    }

    /// Its first and last day, inclusive.
    pub fn days(self) -> (NaiveDate, NaiveDate) {
        let first = self.first_day().expect("a parsed period has a first day");
        let last = match self {
            Self::Month { .. } => first
                .checked_add_months(chrono::Months::new(1))
                .and_then(|next| next.pred_opt())
                .expect("a month has a last day"),
            Self::Week { .. } => first + Days::new(6),
        };
        (first, last)
    }

    /// Whether it is over on `today` (local): only a finished period can be certified.
    pub fn ended(self, today: NaiveDate) -> bool {
        self.days().1 < today
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Self::Week { year, week } => write!(f, "{year:04}-W{week:02}"),
        }
    }
}

/// How a period is stored: as the API writes it.
impl From<Period> for String {
    fn from(period: Period) -> Self {
        period.to_string()
    }
}

impl TryFrom<String> for Period {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        Period::parse(&text).ok_or_else(|| format!("{text:?} is not a stored period"))
    }
}

/// Status of a certification that locks its period.
pub const ACCEPTED: &str = "accepted";

/// The accepted certification, if any, whose period holds `day` for `commune`.
pub fn locked_by(conn: &mut DbConn, commune: &str, day: NaiveDate) -> QueryResult<Option<String>> {
    certifications::table
        .filter(certifications::unit_code.eq(commune))
        .filter(certifications::status.eq(ACCEPTED))
        .filter(certifications::from_day.le(day))
        .filter(certifications::to_day.ge(day))
        .select(certifications::id)
        .first(conn)
        .optional()
}

/// Today's local day, the one periods end by.
pub fn today() -> NaiveDate {
    crate::clock::local_day(chrono::Utc::now())
}

/// The year and ISO week of a day, as a period.
pub fn week_of(day: NaiveDate) -> Period {
    let w = day.iso_week();
    Period::Week {
        year: w.year(),
        week: w.week(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn months_and_weeks_read_and_write_back() {
        for text in ["2026-11", "2026-02", "2026-W47", "2026-W01", "2026-W53"] {
            assert_eq!(Period::parse(text).unwrap().to_string(), text);
        }
        for bad in [
            "2026-13",
            "2026-00",
            "2026-1",
            "2026-W54",
            "2025-W53",
            "2026-W00",
            "26-11",
            "2026/11",
            "2026-11-01",
            "2026-w47",
            "",
            "2026-",
            "+202-11",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_period_covers_its_days() {
        let days = |t: &str| Period::parse(t).unwrap().days();
        assert_eq!(days("2026-11"), (day("2026-11-01"), day("2026-11-30")));
        assert_eq!(days("2028-02"), (day("2028-02-01"), day("2028-02-29")));
        assert_eq!(days("2026-12"), (day("2026-12-01"), day("2026-12-31")));
        // ISO week 1 of 2026 starts on Monday 29 December 2025.
        assert_eq!(days("2026-W01"), (day("2025-12-29"), day("2026-01-04")));
        assert_eq!(days("2026-W47"), (day("2026-11-16"), day("2026-11-22")));
        assert_eq!(week_of(day("2026-11-22")).to_string(), "2026-W47");
        assert_eq!(week_of(day("2027-01-01")).to_string(), "2026-W53");
    }

    #[test]
    fn only_a_finished_period_has_ended() {
        let november = Period::parse("2026-11").unwrap();
        assert!(!november.ended(day("2026-11-30")));
        assert!(november.ended(day("2026-12-01")));
        let week = Period::parse("2026-W47").unwrap();
        assert!(!week.ended(day("2026-11-22")));
        assert!(week.ended(day("2026-11-23")));
    }
}

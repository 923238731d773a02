//! Time as gocua counts it, below every domain: Vietnam's day (UTC+7 all year, no daylight
//! saving) decides which day a record counts on, and stored instants are UTC truncated to
//! microseconds so SQLite and PostgreSQL hold the same value and keyset cursors compare
//! equal on both.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeDelta, Utc};

/// Vietnam's offset from UTC, in seconds.
pub const VIETNAM_OFFSET_SECS: i32 = 7 * 3600;

/// Vietnam's time zone (Asia/Ho_Chi_Minh).
pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(VIETNAM_OFFSET_SECS).expect("UTC+7 is a valid offset")
}

/// The day an instant falls on in Vietnam.
pub fn local_day(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&vietnam()).date_naive()
}

/// Today in Vietnam.
pub fn today() -> NaiveDate {
    local_day(Utc::now())
}

/// The UTC instant a Vietnamese day starts at.
pub fn day_start(day: NaiveDate) -> NaiveDateTime {
    day.and_time(chrono::NaiveTime::MIN) - TimeDelta::seconds(i64::from(VIETNAM_OFFSET_SECS))
}

/// An instant as stored: UTC, truncated to microseconds.
pub fn stored(instant: NaiveDateTime) -> NaiveDateTime {
    chrono::DurationRound::duration_trunc(instant, TimeDelta::microseconds(1)).unwrap_or(instant)
}

/// The current instant as stored.
pub fn now() -> NaiveDateTime {
    stored(Utc::now().naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vietnamese_day_starts_at_17_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 14).unwrap();
        let start = day_start(day);
        assert_eq!(start.to_string(), "2026-03-13 17:00:00");
        assert_eq!(local_day(start.and_utc()), day);
        assert_eq!(
            local_day((start - TimeDelta::microseconds(1)).and_utc()),
            day.pred_opt().unwrap()
        );
    }

    #[test]
    fn stored_instants_keep_microseconds() {
        let t =
            NaiveDateTime::parse_from_str("2026-03-14 02:30:00.123456789", "%Y-%m-%d %H:%M:%S%.f")
                .unwrap();
        assert_eq!(stored(t).to_string(), "2026-03-14 02:30:00.123456");
    }
}

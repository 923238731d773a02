//! `stats.daily`: once a local day has ended, each webhook that wants it gets one event with
//! every metric of every commune of its unit for that day, zeros included. The worker
//! writes the events (see `worker`); a webhook's `daily_through` moves forward in the same
//! transaction, so a day goes out once, whichever server process gets there first.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::Connection;
use diesel::prelude::QueryResult;
use serde_json::json;

use super::queries;
use crate::db::DbConn;
use crate::outbox::{Event, EventType};

/// Most days a webhook is caught up on at once: after a longer outage it gets the last week,
/// and the breakdown endpoint has the days before.
pub const CATCH_UP_DAYS: i64 = 7;

/// The days a webhook given every day through `last` is owed once `ended` has ended: the
/// days since, at most [`CATCH_UP_DAYS`]; `ended` alone for a new webhook.
fn days_to_send(last: Option<NaiveDate>, ended: NaiveDate) -> Vec<NaiveDate> {
    let first = last.map_or(ended, |last| {
        (last + TimeDelta::days(1)).max(ended - TimeDelta::days(CATCH_UP_DAYS - 1))
    });
    first.iter_days().take_while(|day| *day <= ended).collect()
}

/// Writes the `stats.daily` events due at `now`: for each webhook that wants them, one per
/// local day ended since its last (a new webhook starts with the day that ended last).
/// Returns how many it wrote.
pub fn emit_due(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    let ended = crate::clock::local_day(now.and_utc()) - TimeDelta::days(1);
    let mut written = 0;
    for hook in queries::behind_on_daily(conn, ended)? {
        written += conn.transaction::<_, diesel::result::Error, _>(|conn| {
            if !queries::advance_daily(conn, &hook.id, ended)? {
                return Ok(0);
            }
            let mut n = 0;
            for day in days_to_send(hook.daily_through, ended) {
                let communes = crate::stats::daily::communes_on(conn, &hook.unit_code, day)?;
                let event = Event {
                    kind: EventType::StatsDaily,
                    unit_code: hook.unit_code.clone(),
                    data: json!({"day": day, "communes": communes}),
                };
                let id = uuid::Uuid::now_v7().to_string();
                let body = crate::outbox::body(&id, &event, now);
                queries::insert_one(conn, &hook.id, EventType::StatsDaily, &id, &body, now)?;
                n += 1;
            }
            Ok(n)
        })?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    #[test]
    fn each_day_that_ended_goes_out_once_and_a_long_outage_sends_the_last_week() {
        assert_eq!(days_to_send(None, day(4)), vec![day(4)]);
        assert_eq!(days_to_send(Some(day(3)), day(4)), vec![day(4)]);
        assert_eq!(days_to_send(Some(day(4)), day(4)), Vec::<NaiveDate>::new());
        assert_eq!(
            days_to_send(Some(day(1)), day(4)),
            vec![day(2), day(3), day(4)]
        );
        let after_an_outage = days_to_send(Some(day(1)), day(20));
        assert_eq!(after_an_outage.len(), 7);
        assert_eq!(after_an_outage.first(), Some(&day(14)));
        assert_eq!(after_an_outage.last(), Some(&day(20)));
    }
}

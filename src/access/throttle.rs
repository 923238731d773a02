//! Failed-login throttling per phone and per client address: the rules. Only failures
//! count, and a key over its limit is refused *before* the password is checked, which a
//! token-bucket limiter such as governor (whose check always consumes) does not express
//! directly. The failures live in the database (`login_failures`, read and written by
//! `auth::queries`), so several server processes on one PostgreSQL count them together: N
//! nodes do not allow N times the attempts. Keys are stored as a keyed hash, never as the
//! phone or address.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Sliding-window counter of failed logins.
#[derive(Debug)]
pub struct LoginThrottle {
    window: Duration,
    per_phone: u32,
    per_address: u32,
    key: Vec<u8>,
}

/// How long to wait, in whole seconds, given the failures within the window newest first:
/// 0 under the limit; otherwise until the `limit`-th newest leaves the window.
fn wait(newest_first: &[NaiveDateTime], limit: u32, window: Duration, now: NaiveDateTime) -> u64 {
    let Some(edge) = newest_first.get(limit.saturating_sub(1) as usize) else {
        return 0;
    };
    let window = TimeDelta::from_std(window).unwrap_or(TimeDelta::MAX);
    let left = (*edge + window - now).num_seconds();
    u64::try_from(left).map_or(0, |s| s + 1)
}

impl LoginThrottle {
    /// A throttle allowing `per_phone` / `per_address` failures per `window`; `key` keys the
    /// stored hashes (the server's token key: it is the same on every node).
    pub fn new(window: Duration, per_phone: u32, per_address: u32, key: &[u8]) -> Self {
        Self {
            window,
            per_phone,
            per_address,
            key: key.to_vec(),
        }
    }

    /// The stored form of a key: HMAC-SHA256, hex.
    fn stored(&self, key: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(key.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The stored keys of a phone and of an address, each with its limit.
    pub fn keys(&self, phone: &str, address: &str) -> [(String, u32); 2] {
        [
            (self.stored(&format!("p:{phone}")), self.per_phone),
            (self.stored(&format!("a:{address}")), self.per_address),
        ]
    }

    /// The start of the window ending `now`: failures before it no longer count.
    pub fn since(&self, now: NaiveDateTime) -> NaiveDateTime {
        now - TimeDelta::from_std(self.window).unwrap_or(TimeDelta::MAX)
    }

    /// Whole seconds to wait, given a key's failures within the window newest first (at
    /// most `limit` of them): 0 under the limit.
    pub fn wait(&self, newest_first: &[NaiveDateTime], limit: u32, now: NaiveDateTime) -> u64 {
        wait(newest_first, limit, self.window, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_764_547_200 + seconds, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn under_the_limit_nobody_waits() {
        let window = Duration::from_secs(60);
        assert_eq!(wait(&[], 2, window, at(0)), 0);
        assert_eq!(wait(&[at(-5)], 2, window, at(0)), 0);
    }

    #[test]
    fn at_the_limit_one_waits_until_the_limit_th_newest_leaves_the_window() {
        let window = Duration::from_secs(60);
        // Two failures, 5 s and 20 s ago: the older one leaves the window in 40 s.
        assert_eq!(wait(&[at(-5), at(-20)], 2, window, at(0)), 41);
        assert_eq!(wait(&[at(-5), at(-20), at(-30)], 2, window, at(0)), 41);
        assert_eq!(wait(&[at(-59)], 1, window, at(0)), 2);
    }

    #[test]
    fn keys_are_stored_hashed_and_apart() {
        let t = LoginThrottle::new(Duration::from_secs(60), 5, 30, b"a key of the server");
        let [(phone, 5), (address, 30)] = t.keys("+84912345678", "1.2.3.4") else {
            panic!("the limits");
        };
        assert_eq!(phone.len(), 64);
        assert!(!phone.contains("84912345678") && !address.contains("1.2.3.4"));
        assert_ne!(phone, t.stored("a:+84912345678"));
    }
}

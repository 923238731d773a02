//! Failed-login throttling per phone and per client address. Only failures count, and a
//! key over its limit is refused *before* the password is checked, which a token-bucket
//! limiter such as governor (whose check always consumes) does not express directly.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Sliding-window counter of failed logins.
#[derive(Debug)]
pub struct LoginThrottle {
    window: Duration,
    per_phone: u32,
    per_address: u32,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Keys are prefixed so a phone and an address never collide.
fn phone_key(phone: &str) -> String {
    format!("p:{phone}")
}
fn address_key(address: &str) -> String {
    format!("a:{address}")
}

/// Entries beyond which stale keys are swept, bounding memory under a spray of addresses.
const SWEEP_AT: usize = 10_000;

impl LoginThrottle {
    /// A throttle allowing `per_phone` / `per_address` failures per `window`.
    pub fn new(window: Duration, per_phone: u32, per_address: u32) -> Self {
        Self {
            window,
            per_phone,
            per_address,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds)` if this phone or address must wait before trying again.
    pub fn check(&self, phone: &str, address: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = 0u64;
        for (key, limit) in [
            (phone_key(phone), self.per_phone),
            (address_key(address), self.per_address),
        ] {
            if let Some(times) = map.get_mut(&key) {
                while times
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.window)
                {
                    times.pop_front();
                }
                if times.len() as u32 >= limit {
                    let oldest = times[times.len() - limit as usize];
                    let left = self.window.saturating_sub(now.duration_since(oldest));
                    wait = wait.max(left.as_secs() + 1);
                }
            }
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    /// Records one failed attempt against both keys.
    pub fn record_failure(&self, phone: &str, address: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= SWEEP_AT {
            let window = self.window;
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
        }
        for key in [phone_key(phone), address_key(address)] {
            map.entry(key).or_default().push_back(now);
        }
    }

    /// Forgets a phone's failures after a successful login (the address keeps its count).
    pub fn record_success(&self, phone: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&phone_key(phone));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_limit_and_success_clears_phone() {
        let t = LoginThrottle::new(Duration::from_secs(60), 2, 10);
        assert!(t.check("+84912345678", "1.2.3.4").is_ok());
        t.record_failure("+84912345678", "1.2.3.4");
        t.record_failure("+84912345678", "1.2.3.4");
        let wait = t.check("+84912345678", "5.6.7.8").unwrap_err();
        assert!((1..=61).contains(&wait));
        assert!(t.check("+84900000000", "1.2.3.4").is_ok());
        t.record_success("+84912345678");
        assert!(t.check("+84912345678", "1.2.3.4").is_ok());
    }

    #[test]
    fn address_limit_spans_phones() {
        let t = LoginThrottle::new(Duration::from_secs(60), 100, 3);
        for i in 0..3 {
            t.record_failure(&format!("+8491234567{i}"), "9.9.9.9");
        }
        assert!(t.check("+84987654321", "9.9.9.9").is_err());
        assert!(t.check("+84987654321", "9.9.9.8").is_ok());
    }
}

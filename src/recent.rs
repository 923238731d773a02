//! Answers read from the database a moment ago, trusted for a short while so that a request
//! need not read them again: who the caller is, whether they are in a team. Every node keeps
//! its own; a node forgets an entry at once when it changes the row itself, and every node
//! stops trusting an entry after the time-to-live, which is therefore the longest a change
//! made on another node (a disabled user, a removed member) can go unseen.

use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Entries kept at most: the callers and memberships of a busy hour.
const CAPACITY: usize = 20_000;

/// A bounded map of recent reads with a time-to-live.
pub struct Recent<K, V> {
    entries: quick_cache::sync::Cache<K, (Instant, V)>,
    ttl: Duration,
    /// Moves on every forget, so a read that began before it is not stored after it.
    forgets: AtomicU64,
}

/// When a read began, for [`Recent::put`].
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

impl<K, V> std::fmt::Debug for Recent<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recent").field("ttl", &self.ttl).finish()
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Recent<K, V> {
    /// Trusts entries for `ttl`; zero keeps nothing.
    pub fn new(ttl: Duration) -> Self {
        Self {
            entries: quick_cache::sync::Cache::new(CAPACITY),
            ttl,
            forgets: AtomicU64::new(0),
        }
    }

    /// The value read for `key` less than the time-to-live ago.
    pub fn get(&self, key: &K) -> Option<V> {
        if self.ttl.is_zero() {
            return None;
        }
        let (at, value) = self.entries.get(key)?;
        (at.elapsed() < self.ttl).then_some(value)
    }

    /// Take one before reading the database, and give it to [`Recent::put`].
    pub fn ticket(&self) -> Ticket {
        Ticket(self.forgets.load(Ordering::Acquire))
    }

    /// Keeps what a read that began at `ticket` found, unless something was forgotten since
    /// (the read may then predate that change).
    pub fn put(&self, ticket: Ticket, key: K, value: V) {
        if self.ttl.is_zero() || self.forgets.load(Ordering::Acquire) != ticket.0 {
            return;
        }
        self.entries.insert(key, (Instant::now(), value));
    }

    /// Forgets `key`: call it after committing a change to what it holds.
    pub fn forget(&self, key: &K) {
        self.forgets.fetch_add(1, Ordering::AcqRel);
        self.entries.remove(key);
    }

    /// Forgets everything: after a change that touches many entries.
    pub fn clear(&self) {
        self.forgets.fetch_add(1, Ordering::AcqRel);
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Recent;

    #[test]
    fn an_entry_is_trusted_for_the_ttl_only() {
        let recent = Recent::new(Duration::from_millis(50));
        recent.put(recent.ticket(), "a", 1);
        assert_eq!(recent.get(&"a"), Some(1));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(recent.get(&"a"), None);
    }

    #[test]
    fn a_read_that_began_before_a_forget_is_not_kept() {
        let recent = Recent::new(Duration::from_secs(60));
        let before = recent.ticket();
        recent.forget(&"a");
        recent.put(before, "a", 1);
        assert_eq!(recent.get(&"a"), None);
        recent.put(recent.ticket(), "a", 2);
        assert_eq!(recent.get(&"a"), Some(2));
        recent.clear();
        assert_eq!(recent.get(&"a"), None);
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let recent = Recent::new(Duration::ZERO);
        recent.put(recent.ticket(), "a", 1);
        assert_eq!(recent.get(&"a"), None);
    }
}

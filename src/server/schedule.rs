//! When to analyse, and which results still count: typing schedules an analysis of the
//! document a short delay after the last change ([`Debouncer`]), and every change gives the
//! document a new generation ([`Generations`]), so that a worker skips a job that is already
//! stale and the main loop drops a result for an older text.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Documents waiting for their analysis, each until `delay` after its last change.
#[derive(Debug)]
pub struct Debouncer<K> {
    delay: Duration,
    pending: HashMap<K, Instant>,
}

impl<K: Eq + Hash + Clone> Debouncer<K> {
    pub fn new(delay: Duration) -> Debouncer<K> {
        Debouncer {
            delay,
            pending: HashMap::new(),
        }
    }

    /// A change at `now`: the document's analysis waits until `now + delay`.
    pub fn touch(&mut self, key: K, now: Instant) {
        self.pending.insert(key, now + self.delay);
    }

    pub fn forget(&mut self, key: &K) {
        self.pending.remove(key);
    }

    /// The documents whose delay has passed at `now` (and are no longer pending).
    pub fn due(&mut self, now: Instant) -> Vec<K> {
        let due: Vec<K> = self
            .pending
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for k in &due {
            self.pending.remove(k);
        }
        due
    }

    /// The earliest moment something is due.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.pending.values().min().copied()
    }
}

/// The latest generation of each open document, shared by the main loop (which bumps it on
/// every change) and the workers (which skip a job for an older generation).
#[derive(Clone, Debug, Default)]
pub struct Generations {
    latest: Arc<Mutex<HashMap<String, u64>>>,
    counter: Arc<Mutex<u64>>,
}

impl Generations {
    /// A new generation for the document (a change, an open, a config change).
    pub fn bump(&self, key: &str) -> u64 {
        let mut c = self.counter.lock().unwrap_or_else(|p| p.into_inner());
        *c += 1;
        let generation = *c;
        self.latest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_string(), generation);
        generation
    }

    pub fn forget(&self, key: &str) {
        self.latest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }

    /// Whether work done for this generation is still wanted (the document is open and has
    /// not changed since).
    pub fn is_current(&self, key: &str, generation: u64) -> bool {
        self.latest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .is_some_and(|&g| g == generation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_change_decides_when() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut d = Debouncer::new(ms(100));
        assert_eq!(d.next_deadline(), None);
        d.touch("a", t0);
        d.touch("a", t0 + ms(60));
        d.touch("b", t0 + ms(30));
        assert_eq!(d.next_deadline(), Some(t0 + ms(130)));
        // 100 ms after the first change of `a`, it is still typing: nothing is due.
        assert!(d.due(t0 + ms(100)).is_empty());
        assert_eq!(d.due(t0 + ms(130)), vec!["b"]);
        assert_eq!(d.next_deadline(), Some(t0 + ms(160)));
        assert_eq!(d.due(t0 + ms(200)), vec!["a"]);
        assert!(d.due(t0 + ms(900)).is_empty());
        d.touch("c", t0);
        d.forget(&"c");
        assert_eq!(d.next_deadline(), None);
    }

    #[test]
    fn stale_results_are_dropped() {
        let g = Generations::default();
        let first = g.bump("file:///a");
        assert!(g.is_current("file:///a", first));
        let second = g.bump("file:///a");
        assert!(!g.is_current("file:///a", first), "an older text's result");
        assert!(g.is_current("file:///a", second));
        // Generations are unique across documents, so a closed and reopened document never
        // takes an old result for a new one.
        let other = g.bump("file:///b");
        assert!(other > second);
        g.forget("file:///a");
        assert!(!g.is_current("file:///a", second), "a closed document");
        let reopened = g.bump("file:///a");
        assert!(!g.is_current("file:///a", second) && g.is_current("file:///a", reopened));
    }
}

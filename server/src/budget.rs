//! `Budget`: the memory all connections together may hold in request bodies read whole.

use std::sync::atomic::{AtomicUsize, Ordering};

/// A server-wide count of the bytes held for bodies that handlers read whole, against
/// [`ServerConfig::body_memory`](crate::config::ServerConfig::body_memory). A reservation
/// that would pass the limit is refused: that request is answered `503` with `Retry-After`,
/// so that memory is bounded by the budget, not by the number of clients or their speed.
#[derive(Debug)]
pub(crate) struct Budget {
    used: AtomicUsize,
    limit: usize,
}

impl Budget {
    pub(crate) fn new(limit: usize) -> Budget {
        Budget {
            used: AtomicUsize::new(0),
            limit,
        }
    }

    /// Takes `bytes` from the budget; false (nothing taken) when they do not fit.
    pub(crate) fn reserve(&self, bytes: usize) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes).filter(|&total| total <= self.limit)
            })
            .is_ok()
    }

    /// Gives `bytes` back.
    pub(crate) fn release(&self, bytes: usize) {
        self.used.fetch_sub(bytes, Ordering::AcqRel);
    }

    #[cfg(test)]
    pub(crate) fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_stop_at_the_limit_and_come_back() {
        let budget = Budget::new(100);
        assert!(budget.reserve(60));
        assert!(!budget.reserve(41));
        assert!(budget.reserve(40));
        budget.release(60);
        assert_eq!(budget.used(), 40);
        assert!(budget.reserve(60));
        assert!(!budget.reserve(1));
    }
}

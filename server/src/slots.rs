//! A worker's connections: the sockets by key, each one's next deadline, the queue of those
//! with work left, and the pool of protocol cores they borrow while bytes are in flight — one
//! type, so a key means the same thing in all four.
//!
//! **Idle sockets hold no buffers**: a socket between requests (nothing received, nothing to
//! send) is parked — its slot keeps the stream, its readiness and when it went idle, about
//! 100 bytes — and its [`Connection`] (read buffer, parser with its header table, body and
//! response buffers: about 8 KiB) goes back to the pool of at most [`POOL`]; when bytes
//! arrive, the socket borrows one again ([`Connection::recycle`]), so a keep-alive request
//! still allocates nothing.
//!
//! **Queued at most once**: a connection with work left after its rounds goes on the ready
//! list, and an event for it while it waits there only adds to its readiness. Without that,
//! each edge under a pipelining client added a copy, each copy was driven again and queued
//! itself again, and one client's copies outnumbered everyone else's turns.

use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Instant;

use crate::config::ServerConfig;
use crate::conn::Connection;
use crate::poll::Readiness;
use crate::poll::Registration;

/// Idle connections (their buffers and parser) a worker keeps for the sockets that wake up.
pub(crate) const POOL: usize = 64;

/// One connection on a worker.
#[derive(Debug)]
pub(crate) struct Slot {
    /// Shared with a pool thread while the connection is lent to one.
    pub(crate) stream: Arc<TcpStream>,
    /// The connection is lent to a handler on the pool: the worker leaves the socket alone
    /// until it comes back (through the worker's inbox).
    pub(crate) lent: bool,
    /// The client's address, as `accept` gave it.
    pub(crate) peer: Option<SocketAddr>,
    /// The protocol state and buffers, lent from the pool while bytes are in flight; `None`
    /// while the socket is parked.
    pub(crate) conn: Option<Box<Connection>>,
    pub(crate) io: Readiness,
    pub(crate) registration: Registration,
    /// While parked: since when the socket is idle (its idle timeout counts from there).
    pub(crate) idle_since: Instant,
    /// Whether the key is on the ready list.
    queued: bool,
}

/// A worker's connections, their deadlines, ready list and pool.
#[derive(Debug, Default)]
pub(crate) struct Slots {
    /// By key. Not boxed: the slots of parked sockets lie in one array, not scattered between
    /// the connections' buffers, so the pages those free are whole.
    slots: Vec<Option<Slot>>,
    /// Each slot's next deadline (timeout or linger end), dense for the tick's scan.
    deadlines: Vec<Option<Instant>>,
    free: Vec<usize>,
    /// Keys with work left after their rounds, each at most once.
    ready: Vec<usize>,
    /// Connections not in use. Boxed: lending one moves a pointer, not the 2 KiB of a
    /// connection and its parser.
    #[allow(clippy::vec_box)]
    pool: Vec<Box<Connection>>,
    /// Connections freed (not pooled) since [`Slots::take_freed`].
    freed: usize,
}

impl Slots {
    /// The key the next [`Slots::insert`] will use.
    pub(crate) fn next_key(&self) -> usize {
        self.free.last().copied().unwrap_or(self.slots.len())
    }

    /// Adds a parked socket under [`Slots::next_key`], due at `deadline`.
    pub(crate) fn insert(
        &mut self,
        stream: TcpStream,
        peer: Option<SocketAddr>,
        registration: Registration,
        now: Instant,
        deadline: Option<Instant>,
    ) -> usize {
        let slot = Slot {
            stream: Arc::new(stream),
            lent: false,
            peer,
            conn: None,
            io: Readiness::default(),
            registration,
            idle_since: now,
            queued: false,
        };
        match self.free.pop() {
            Some(key) => {
                if let Some(entry) = self.slots.get_mut(key) {
                    *entry = Some(slot);
                }
                if let Some(entry) = self.deadlines.get_mut(key) {
                    *entry = deadline;
                }
                key
            }
            None => {
                self.slots.push(Some(slot));
                self.deadlines.push(deadline);
                self.slots.len() - 1
            }
        }
    }

    /// Takes a slot out (its connection back to the pool); its key is free again.
    pub(crate) fn remove(&mut self, key: usize, now: Instant) -> Option<Slot> {
        let mut slot = self.slots.get_mut(key).and_then(Option::take)?;
        if let Some(conn) = slot.conn.take() {
            self.give_back(conn, now);
        }
        if let Some(deadline) = self.deadlines.get_mut(key) {
            *deadline = None;
        }
        if slot.queued {
            self.ready.retain(|&queued| queued != key);
        }
        self.free.push(key);
        Some(slot)
    }

    pub(crate) fn get_mut(&mut self, key: usize) -> Option<&mut Slot> {
        self.slots.get_mut(key).and_then(Option::as_mut)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.slots.len() == self.free.len()
    }

    pub(crate) fn set_deadline(&mut self, key: usize, deadline: Option<Instant>) {
        if let Some(entry) = self.deadlines.get_mut(key) {
            *entry = deadline;
        }
    }

    /// One past the largest key in use: the keys to scan are `0..key_bound()`.
    pub(crate) fn key_bound(&self) -> usize {
        self.slots.len()
    }

    /// Whether `key`'s deadline is at or before `now`.
    pub(crate) fn is_due(&self, key: usize, now: Instant) -> bool {
        matches!(self.deadlines.get(key), Some(Some(deadline)) if now >= *deadline)
    }

    /// Puts `key` on the ready list unless it is there already. Returns whether it was added.
    pub(crate) fn queue(&mut self, key: usize) -> bool {
        match self.get_mut(key) {
            Some(slot) if !slot.queued => {
                slot.queued = true;
                self.ready.push(key);
                true
            }
            _ => false,
        }
    }

    /// Whether `key` waits on the ready list.
    pub(crate) fn is_queued(&self, key: usize) -> bool {
        matches!(self.slots.get(key), Some(Some(slot)) if slot.queued)
    }

    pub(crate) fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    pub(crate) fn ready_len(&self) -> usize {
        self.ready.len()
    }

    /// Takes the ready list, in the order it was filled, into `into` (emptied first); the
    /// keys are no longer queued, so driving one may queue it again.
    pub(crate) fn take_ready(&mut self, into: &mut Vec<usize>) {
        into.clear();
        std::mem::swap(into, &mut self.ready);
        for &key in into.iter() {
            if let Some(Some(slot)) = self.slots.get_mut(key) {
                slot.queued = false;
            }
        }
    }

    /// A connection for a socket whose bytes arrived, made new as of `since`: from the pool,
    /// or newly allocated when the pool is empty.
    pub(crate) fn lend(&mut self, config: &ServerConfig, since: Instant) -> Box<Connection> {
        let mut conn = self
            .pool
            .pop()
            .unwrap_or_else(|| Box::new(Connection::new(config, since)));
        conn.recycle(since);
        conn
    }

    /// Returns a connection to the pool (made new, its large buffers released), or frees it
    /// when the pool is full (counted for [`Slots::take_freed`]).
    pub(crate) fn give_back(&mut self, mut conn: Box<Connection>, now: Instant) {
        if self.pool.len() < POOL {
            conn.recycle(now);
            self.pool.push(conn);
        } else {
            self.freed += 1;
        }
    }

    /// Whether more connections were freed (not pooled) since the last call than the pool
    /// holds: a burst, whose memory is worth handing back. Resets the count when it says so.
    pub(crate) fn take_freed(&mut self) -> bool {
        let burst = self.freed > POOL;
        if burst {
            self.freed = 0;
        }
        burst
    }
}

#[cfg(test)]
// The epoll backend's registration is a unit struct, the portable one's is not.
#[allow(clippy::default_constructed_unit_structs)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn socket() -> TcpStream {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        TcpStream::connect(listener.local_addr().expect("addr")).expect("connect")
    }

    /// #18.4a: a connection with work left is on the ready list once, however many times it
    /// is queued before its turn (one edge event each under a pipelining client).
    #[test]
    fn a_connection_is_queued_at_most_once() {
        let now = Instant::now();
        let mut slots = Slots::default();
        let a = slots.insert(socket(), None, Registration::default(), now, None);
        let b = slots.insert(socket(), None, Registration::default(), now, None);
        assert!(slots.queue(a));
        for _ in 0..342 {
            assert!(!slots.queue(a));
        }
        assert!(slots.queue(b));
        assert_eq!(slots.ready_len(), 2);
        let mut turn = Vec::new();
        slots.take_ready(&mut turn);
        assert_eq!(turn, [a, b]);
        assert!(!slots.has_ready());
        // Taken off the list, a key may be queued again for the next turn.
        assert!(slots.queue(a));
        assert!(slots.is_queued(a) && !slots.is_queued(b));
    }

    /// A removed key leaves the ready list's bookkeeping: a new socket under the same key is
    /// not taken for queued.
    #[test]
    fn a_removed_key_is_not_queued() {
        let now = Instant::now();
        let mut slots = Slots::default();
        let a = slots.insert(socket(), None, Registration::default(), now, None);
        slots.queue(a);
        assert!(slots.remove(a, now).is_some());
        assert!(!slots.has_ready(), "the ready list forgets a removed key");
        assert!(!slots.queue(a), "no slot under the key");
        let again = slots.insert(socket(), None, Registration::default(), now, None);
        assert_eq!(again, a, "keys are reused");
        assert!(!slots.is_queued(again));
        assert!(!slots.is_empty());
    }

    /// Deadlines follow their keys: due when passed, gone with the slot.
    #[test]
    fn deadlines_are_kept_by_key() {
        let now = Instant::now();
        let later = now + std::time::Duration::from_secs(5);
        let mut slots = Slots::default();
        let a = slots.insert(socket(), None, Registration::default(), now, Some(now));
        let b = slots.insert(socket(), None, Registration::default(), now, Some(later));
        let due = |slots: &Slots, at| {
            (0..slots.key_bound())
                .filter(|&key| slots.is_due(key, at))
                .collect::<Vec<_>>()
        };
        assert_eq!(due(&slots, now), [a]);
        assert_eq!(due(&slots, later), [a, b]);
        slots.remove(a, now);
        assert_eq!(due(&slots, later), [b]);
        slots.set_deadline(b, None);
        assert!(due(&slots, later).is_empty());
    }
}

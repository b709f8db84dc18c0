//! `Pool`: the threads blocking handlers run on, shared by the workers.
//!
//! It grows on demand (a job never waits for a thread while fewer than the limit exist) and
//! shrinks when idle: a thread with no job for [`IDLE`] exits. Past the limit jobs queue, so a
//! flood of slow handlers costs a queue, not a thread each. Written here rather than taken
//! from a crate: the job is a `Mutex`, a `Condvar` and a counter, and the ones that exist are
//! built for futures.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

/// How long a thread waits for a job before it exits.
const IDLE: Duration = Duration::from_secs(10);

type Job = Box<dyn FnOnce() + Send + 'static>;

#[derive(Default)]
struct State {
    jobs: VecDeque<Job>,
    threads: usize,
    idle: usize,
}

struct Shared {
    state: Mutex<State>,
    work: Condvar,
    limit: usize,
}

/// A growing pool of threads for blocking work.
#[derive(Clone)]
pub(crate) struct Pool(Arc<Shared>);

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("limit", &self.0.limit)
            .finish_non_exhaustive()
    }
}

impl Pool {
    /// A pool of at most `limit` threads (at least one), none started yet.
    pub(crate) fn new(limit: usize) -> Pool {
        Pool(Arc::new(Shared {
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            limit: limit.max(1),
        }))
    }

    /// Runs `job` on a pool thread: an idle one, a new one while under the limit, or the
    /// first to be free. A job that panics costs itself, not its thread.
    pub(crate) fn spawn(&self, job: impl FnOnce() + Send + 'static) {
        let mut state = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.jobs.push_back(Box::new(job));
        if state.idle >= state.jobs.len() {
            drop(state);
            self.0.work.notify_one();
            return;
        }
        if state.threads < self.0.limit {
            let shared = Arc::clone(&self.0);
            let started = std::thread::Builder::new()
                .name("h1-handler".into())
                .spawn(move || run(&shared));
            if started.is_ok() {
                state.threads += 1;
            }
        }
    }
}

fn run(shared: &Shared) {
    let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if let Some(job) = state.jobs.pop_front() {
            drop(state);
            // The job handles its own panics (a handler's answer is a 500); this is the bound.
            let _ = catch_unwind(AssertUnwindSafe(job));
            state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
            continue;
        }
        state.idle += 1;
        let (next, waited) = shared
            .work
            .wait_timeout(state, IDLE)
            .unwrap_or_else(PoisonError::into_inner);
        state = next;
        state.idle -= 1;
        if waited.timed_out() && state.jobs.is_empty() {
            state.threads -= 1;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn jobs_run_in_parallel_up_to_the_limit_and_queue_past_it() {
        let pool = Pool::new(2);
        let gate = Arc::new((Mutex::new(false), Condvar::new()));
        let (done, finished) = mpsc::channel();
        for job in 0..3 {
            let gate = Arc::clone(&gate);
            let done = done.clone();
            pool.spawn(move || {
                let (open, opened) = &*gate;
                let mut open = open.lock().unwrap();
                while !*open && job < 2 {
                    open = opened.wait(open).unwrap();
                }
                done.send(job).unwrap();
            });
        }
        // Two jobs hold both threads until the gate opens: no third thread starts.
        assert_eq!(pool.0.state.lock().unwrap().threads, 2);
        *gate.0.lock().unwrap() = true;
        gate.1.notify_all();
        let mut ran: Vec<i32> = finished.iter().take(3).collect();
        ran.sort_unstable();
        assert_eq!(ran, [0, 1, 2]);
    }

    #[test]
    fn a_panicking_job_leaves_its_thread_serving() {
        let pool = Pool::new(1);
        let (done, finished) = mpsc::channel();
        pool.spawn(|| panic!("a handler's bug"));
        pool.spawn(move || done.send(()).unwrap());
        finished.recv().unwrap();
        assert_eq!(pool.0.state.lock().unwrap().threads, 1);
    }
}

//! Ctrl-C and SIGTERM as a graceful shutdown (feature `signals`, on signal-hook).
//!
//! ```no_run
//! use h1_server::{Router, Server, ServerConfig};
//!
//! let server = Server::bind("127.0.0.1:8080", ServerConfig::new())?;
//! h1_server::signals::shutdown_on_signals(server.shutdown_handle(), || {
//!     eprintln!("shutting down");
//! })?;
//! server.serve(Router::new())?; // returns once the requests in flight are answered
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io;

use crate::server::ShutdownHandle;

/// On the first SIGINT (Ctrl-C) or SIGTERM, calls `notice` and starts a graceful shutdown
/// through `handle`: stop accepting, finish the requests in flight, close idle connections. A
/// second signal exits the process at once (status 128 + the signal), for a shutdown that
/// takes too long. The signals are watched by a thread of its own, named `h1-signals`.
///
/// On Windows, where Ctrl-C arrives as SIGINT and there is no signal iterator, a flag is
/// looked at every 100 ms instead.
pub fn shutdown_on_signals(
    handle: ShutdownHandle,
    notice: impl FnOnce() + Send + 'static,
) -> io::Result<()> {
    watch(handle, notice)
}

#[cfg(unix)]
fn watch(handle: ShutdownHandle, notice: impl FnOnce() + Send + 'static) -> io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("h1-signals".to_owned())
        .spawn(move || {
            let mut notice = Some(notice);
            for signal in signals.forever() {
                if handle.is_shutdown() {
                    std::process::exit(128 + signal);
                }
                if let Some(notice) = notice.take() {
                    notice();
                }
                handle.shutdown();
            }
        })?;
    Ok(())
}

#[cfg(not(unix))]
fn watch(handle: ShutdownHandle, notice: impl FnOnce() + Send + 'static) -> io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let raised = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&raised))?;
    }
    std::thread::Builder::new()
        .name("h1-signals".to_owned())
        .spawn(move || {
            let mut notice = Some(notice);
            loop {
                std::thread::sleep(std::time::Duration::from_millis(100));
                if raised.swap(false, Ordering::SeqCst) {
                    if handle.is_shutdown() {
                        std::process::exit(130);
                    }
                    if let Some(notice) = notice.take() {
                        notice();
                    }
                    handle.shutdown();
                }
            }
        })?;
    Ok(())
}

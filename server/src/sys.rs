//! The crate's only `unsafe`: three calls the safe crates do not wrap, each with what it
//! needs and what a platform without it gets.
//!
//! - [`unsent_in_kernel`]: `SIOCOUTQ` on Linux; elsewhere `None`, and the minimum write rate
//!   then counts the bytes handed to the kernel as taken by the client (a kernel that grows
//!   its send buffer for a slow reader makes the reader look up to that buffer faster).
//! - [`release_freed_memory`]: glibc's `malloc_trim`; elsewhere nothing, and the memory a
//!   burst of connections freed goes back to the system only as the allocator itself decides
//!   (the idle footprint after a burst can stay higher than after steady traffic).
//! - [`watch`]: the portable backend's registration (`polling::Poller::add` is unsafe because
//!   a source must be deleted before it is closed).
#![allow(unsafe_code)]

use std::net::TcpStream;

/// The bytes written to `stream` that the kernel has not yet sent or seen acknowledged
/// (`SIOCOUTQ`, the same opcode as `TIOCOUTQ`): what the client has not taken yet.
#[cfg(target_os = "linux")]
pub(crate) fn unsent_in_kernel(stream: &TcpStream) -> Option<usize> {
    // The architectures where TIOCOUTQ is 0x5411 (mips, powerpc and sparc number it
    // otherwise: there the answer is unknown, as on other systems).
    let known = cfg!(any(
        target_arch = "x86_64",
        target_arch = "x86",
        target_arch = "aarch64",
        target_arch = "arm",
        target_arch = "riscv64"
    ));
    if !known {
        return None;
    }
    const SIOCOUTQ: rustix::ioctl::Opcode = 0x5411;
    // SAFETY: SIOCOUTQ on a TCP socket is a getter of one c_int, as Getter declares.
    let queued = unsafe {
        rustix::ioctl::ioctl(
            stream,
            rustix::ioctl::Getter::<SIOCOUTQ, std::ffi::c_int>::new(),
        )
    };
    queued.ok().and_then(|n| usize::try_from(n).ok())
}

/// Without `SIOCOUTQ` (see the module documentation): unknown.
#[cfg(not(target_os = "linux"))]
pub(crate) fn unsent_in_kernel(_: &TcpStream) -> Option<usize> {
    None
}

/// Hands memory freed by a burst back to the system. After thousands of connections were busy
/// at once, their freed buffers sit between the small allocations that stay (the parked
/// slots), where glibc's `free` never returns them; `malloc_trim` gives back the free pages
/// in the middle of the heap too.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) fn release_freed_memory() {
    extern "C" {
        fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
    // SAFETY: glibc's malloc_trim takes the allocator's own locks and touches no memory of
    // ours; it only returns free pages to the kernel.
    unsafe {
        malloc_trim(0);
    }
}

/// Without `malloc_trim` (see the module documentation): nothing to do.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn release_freed_memory() {}

/// Registers `source` with `poller` for `interest`, oneshot.
///
/// The caller deletes `source` from `poller` before it closes it: the portable backend's
/// `forget` is called for every connection the worker removes and for the listener when it
/// stops accepting.
#[cfg(any(h1_portable_io, not(target_os = "linux")))]
pub(crate) fn watch(
    poller: &polling::Poller,
    source: impl polling::AsRawSource,
    interest: polling::Event,
) -> std::io::Result<()> {
    // SAFETY: polling requires the source to be deleted before it is dropped; the only
    // caller, the portable backend, deletes each one before the worker drops it (above).
    unsafe { poller.add(source, interest) }
}

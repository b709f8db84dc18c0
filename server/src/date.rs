//! The `Date` header value (RFC 9110 §6.6.1), formatted at most once a second per thread.

use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

/// `Sun, 06 Nov 1994 08:49:37 GMT`: IMF-fixdate is always 29 bytes.
pub(crate) const DATE_LEN: usize = 29;

struct Cache {
    second: u64,
    text: [u8; DATE_LEN],
}

thread_local! {
    // No destructor, so the thread-local needs no registration (and no allocation).
    static CACHE: RefCell<Cache> = const { RefCell::new(Cache { second: u64::MAX, text: [b' '; DATE_LEN] }) };
}

/// Calls `f` with the current Unix second and the date as IMF-fixdate; formats it again only
/// when the second changed since this thread last asked.
pub(crate) fn with_date<R>(f: impl FnOnce(u64, &[u8]) -> R) -> R {
    let now = SystemTime::now();
    let second = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.second != second {
            let mut text = [b' '; DATE_LEN];
            let mut out: &mut [u8] = &mut text;
            // Writing 29 bytes into a 29-byte array: formatting allocates nothing.
            let _ = std::io::Write::write_fmt(
                &mut out,
                format_args!("{}", httpdate::HttpDate::from(now)),
            );
            cache.text = text;
            cache.second = second;
        }
        f(cache.second, &cache.text)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn date_is_imf_fixdate() {
        super::with_date(|_, date| {
            let text = std::str::from_utf8(date).unwrap();
            assert_eq!(text.len(), 29);
            assert!(text.ends_with(" GMT"), "{text}");
            assert!(httpdate::parse_http_date(text).is_ok(), "{text}");
        });
    }
}

//! Numeric literals: decimal numbers, IPv4 addresses and prefixes, communities.
//!
//! A numeric run (`[0-9][0-9A-Za-z_.:/]*`) is classified as a whole, so
//! `10.1.2.3/16`, `65535:65282` and `2001:db8::/32` each become one token (or one
//! error) instead of a cascade of fragments.

use super::error::{snippet, ParseErrorKind};
use super::token::TokKind;
use ipnet::{Ipv4Net, Ipv6Net};
use std::net::{Ipv4Addr, Ipv6Addr};

/// True when `run` is an IPv6 address or prefix.
pub(crate) fn is_ipv6(run: &str) -> bool {
    run.parse::<Ipv6Addr>().is_ok() || run.parse::<Ipv6Net>().is_ok()
}

/// A decimal number, `None` when it does not fit in a u64. `s` must be digits only.
pub(crate) fn decimal(s: &str) -> Option<u64> {
    let mut n: u64 = 0;
    for b in s.bytes() {
        let d = u64::from(b.wrapping_sub(b'0'));
        n = n.checked_mul(10)?.checked_add(d)?;
    }
    Some(n)
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Classifies a numeric run. On error, returns the error and the token to emit in
/// its place (a host-bits prefix still yields its masked prefix so parsing goes on).
pub(crate) fn classify(run: &str) -> Result<TokKind, (ParseErrorKind, TokKind)> {
    let text = || snippet(run);
    if run.contains(':') {
        if let Some((a, b)) = run.split_once(':') {
            if all_digits(a) && all_digits(b) {
                let hi = decimal(a).and_then(|v| u16::try_from(v).ok());
                let lo = decimal(b).and_then(|v| u16::try_from(v).ok());
                return match (hi, lo) {
                    (Some(hi), Some(lo)) => Ok(TokKind::Community(hi, lo)),
                    _ => Err((
                        ParseErrorKind::InvalidCommunity { text: text() },
                        TokKind::Bad,
                    )),
                };
            }
        }
        if is_ipv6(run) {
            return Err((
                ParseErrorKind::Ipv6Unsupported { text: text() },
                TokKind::Bad,
            ));
        }
        return Err((
            ParseErrorKind::InvalidCommunity { text: text() },
            TokKind::Bad,
        ));
    }
    if let Some((addr, len)) = run.split_once('/') {
        let addr: Option<Ipv4Addr> = addr.parse().ok();
        let (Some(addr), true) = (addr, all_digits(len)) else {
            return Err((ParseErrorKind::InvalidPrefix { text: text() }, TokKind::Bad));
        };
        let len = decimal(len).unwrap_or(u64::MAX);
        let Some(net) = u8::try_from(len)
            .ok()
            .and_then(|l| Ipv4Net::new(addr, l).ok())
        else {
            return Err((
                ParseErrorKind::PrefixLengthTooLong { text: text() },
                TokKind::Bad,
            ));
        };
        let masked = net.trunc();
        if masked != net {
            return Err((
                ParseErrorKind::HostBitsSet {
                    text: text(),
                    masked,
                },
                TokKind::Prefix(masked),
            ));
        }
        return Ok(TokKind::Prefix(net));
    }
    if run.contains('.') {
        return match run.parse::<Ipv4Addr>() {
            Ok(a) => Ok(TokKind::Address(a)),
            Err(_) => Err((
                ParseErrorKind::InvalidAddress { text: text() },
                TokKind::Bad,
            )),
        };
    }
    if all_digits(run) {
        return match decimal(run) {
            Some(n) => Ok(TokKind::Number(n)),
            None => Err((
                ParseErrorKind::NumberTooLarge { text: text() },
                TokKind::Bad,
            )),
        };
    }
    Err((ParseErrorKind::InvalidNumber { text: text() }, TokKind::Bad))
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]
    use super::*;

    #[test]
    fn classifies() {
        assert_eq!(classify("65000"), Ok(TokKind::Number(65000)));
        assert_eq!(
            classify("18446744073709551615"),
            Ok(TokKind::Number(u64::MAX))
        );
        assert!(matches!(
            classify("18446744073709551616"),
            Err((ParseErrorKind::NumberTooLarge { .. }, _))
        ));
        assert_eq!(
            classify("10.0.0.0/8"),
            Ok(TokKind::Prefix("10.0.0.0/8".parse().unwrap()))
        );
        assert_eq!(
            classify("10.1.2.3"),
            Ok(TokKind::Address("10.1.2.3".parse().unwrap()))
        );
        assert_eq!(
            classify("65535:65282"),
            Ok(TokKind::Community(65535, 65282))
        );
        assert!(matches!(
            classify("65536:1"),
            Err((ParseErrorKind::InvalidCommunity { .. }, _))
        ));
        assert!(matches!(
            classify("2001:db8::/32"),
            Err((ParseErrorKind::Ipv6Unsupported { .. }, _))
        ));
        assert!(matches!(
            classify("10.0.0.0/33"),
            Err((ParseErrorKind::PrefixLengthTooLong { .. }, _))
        ));
        assert!(matches!(
            classify("10.0.0/8"),
            Err((ParseErrorKind::InvalidPrefix { .. }, _))
        ));
        assert!(matches!(
            classify("10.0.0"),
            Err((ParseErrorKind::InvalidAddress { .. }, _))
        ));
        assert!(matches!(
            classify("12ab"),
            Err((ParseErrorKind::InvalidNumber { .. }, _))
        ));
        match classify("10.1.2.3/16") {
            Err((ParseErrorKind::HostBitsSet { masked, .. }, TokKind::Prefix(p))) => {
                assert_eq!(masked.to_string(), "10.1.0.0/16");
                assert_eq!(p, masked);
            }
            other => panic!("{other:?}"),
        }
    }
}

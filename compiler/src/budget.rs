//! The resource governor of a verification: a deadline (`--timeout`, per check) and a
//! memory budget (`--max-memory`, for the whole process). The loops of the symbolic
//! encoding that can grow with the design — per-prefix control planes
//! (`smt::encode::Encoder::prefix_plane`) and the walk states of a data-plane graph
//! (`smt::dataplane::Builder::graph`) — poll it ([`Budget::poll`]); the prover checks it
//! before every solver call and hands z3 the same memory cap. Once spent, a budget stays
//! spent, and every answer that depends on it is `unknown` with the reason: never
//! `pass`, never an OOM kill or a hang.
//!
//! Time is read on every poll (`Instant::now`, tens of nanoseconds). Memory is the
//! process's resident set size, read with the `memory-stats` crate (on Linux one read
//! of `/proc/self/statm`), on the first poll and then every [`MEMORY_POLL_EVERY`]
//! polls. The default budget is [`DEFAULT_MEMORY_PERCENT`] % of the machine's physical
//! memory, read once with the `sysinfo` crate.

use std::cell::{Cell, RefCell};
use std::sync::OnceLock;
use std::time::Instant;

/// Memory is read on the first poll and then every this many polls.
pub const MEMORY_POLL_EVERY: u32 = 64;

/// The default memory budget, in percent of the machine's physical memory.
pub const DEFAULT_MEMORY_PERCENT: u64 = 50;

/// Why the encoding stopped when the deadline passed.
pub const ENCODING_TIMEOUT: &str = "the encoding did not finish within --timeout";

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;
const TIB: u64 = 1024 * GIB;

/// The machine's physical memory in bytes (`None`: could not be read).
pub fn physical_memory() -> Option<u64> {
    static TOTAL: OnceLock<Option<u64>> = OnceLock::new();
    *TOTAL.get_or_init(|| {
        let mut sys = sysinfo::System::new();
        sys.refresh_memory_specifics(sysinfo::MemoryRefreshKind::nothing().with_ram());
        Some(sys.total_memory()).filter(|t| *t > 0)
    })
}

/// The default `--max-memory`: [`DEFAULT_MEMORY_PERCENT`] % of physical memory, or no
/// limit (`u64::MAX`) where physical memory cannot be read.
pub fn default_max_memory() -> u64 {
    physical_memory()
        .map(|t| t / 100 * DEFAULT_MEMORY_PERCENT)
        .unwrap_or(u64::MAX)
}

/// The process's resident set size in bytes (`None`: could not be read).
pub fn resident_memory() -> Option<u64> {
    memory_stats::memory_stats().and_then(|m| u64::try_from(m.physical_mem).ok())
}

/// Parses a memory size: a positive whole number with an optional unit `K`, `M`, `G`
/// or `T` (powers of 1024; `B`, `KB`/`KiB`... accepted too), e.g. `512M`, `2G`,
/// `1073741824`. The error says what is accepted.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(digits_end);
    let bad = || {
        format!("`{text}` is not a memory size: write a positive whole number with an optional unit K, M, G or T, e.g. `512M` or `2G`")
    };
    let n: u64 = num.parse().map_err(|_| bad())?;
    let scale = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => KIB,
        "M" | "MB" | "MIB" => MIB,
        "G" | "GB" | "GIB" => GIB,
        "T" | "TB" | "TIB" => TIB,
        _ => return Err(bad()),
    };
    match n.checked_mul(scale) {
        Some(0) => Err(format!("`{text}`: the memory budget must be above zero")),
        Some(v) => Ok(v),
        None => Err(format!("`{text}` is too large")),
    }
}

/// A size in the largest binary unit that divides it (`512 MiB`, `2 GiB`, `1000 bytes`).
pub fn format_size(bytes: u64) -> String {
    for (unit, name) in [(TIB, "TiB"), (GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")] {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

/// The reason given when the memory budget `max` is exceeded.
pub fn memory_reason(max: u64) -> String {
    format!("memory budget of {} exceeded", format_size(max))
}

/// A stop check for the simulator ([`crate::sim::bgp::stable_state_until`]) and the
/// concrete property evaluation: `Some(reason)` once `deadline` has passed
/// ("the verification time limit was reached") or the process holds more resident
/// memory than `max_memory` bytes. The clock is read on every call; memory on the
/// first call and then at most once per [`MEMORY_READ_INTERVAL`] (a walk sweep may
/// call this hundreds of thousands of times: reading memory each 8th call was most of
/// the CPU of `loop_free` over 400 spokes).
pub fn stop_check(deadline: Instant, max_memory: u64) -> impl Fn() -> Option<String> {
    let last_read: Cell<Option<Instant>> = Cell::new(None);
    move || {
        let now = Instant::now();
        if now >= deadline {
            return Some(TIME_LIMIT.to_string());
        }
        if max_memory == u64::MAX {
            return None;
        }
        let due = last_read
            .get()
            .is_none_or(|t| now.saturating_duration_since(t) >= MEMORY_READ_INTERVAL);
        if due {
            last_read.set(Some(now));
            if resident_memory().is_some_and(|r| r > max_memory) {
                return Some(memory_reason(max_memory));
            }
        }
        None
    }
}

/// How often [`stop_check`] reads the resident memory at most.
pub const MEMORY_READ_INTERVAL: std::time::Duration = std::time::Duration::from_millis(1);

/// The reason a check ends `unknown` when its time is up.
pub const TIME_LIMIT: &str = "the verification time limit was reached";

/// A deadline and a memory budget, polled on one thread (one encoder and its prover
/// share one through an `Rc`).
#[derive(Debug)]
pub struct Budget {
    deadline: Cell<Instant>,
    /// Bytes of resident memory allowed to the whole process.
    max_memory: u64,
    polls: Cell<u32>,
    spent: RefCell<Option<String>>,
}

impl Budget {
    /// A budget ending at `deadline`, with `max_memory` bytes of resident memory.
    pub fn new(deadline: Instant, max_memory: u64) -> Budget {
        Budget {
            deadline: Cell::new(deadline),
            max_memory,
            polls: Cell::new(0),
            spent: RefCell::new(None),
        }
    }

    /// No limit: a deadline a year away, no memory budget (for callers that bound the
    /// work themselves).
    pub fn unlimited() -> Budget {
        let now = Instant::now();
        let far = now
            .checked_add(std::time::Duration::from_secs(365 * 86_400))
            .unwrap_or(now);
        Budget::new(far, u64::MAX)
    }

    /// When the current work must be finished by.
    pub fn deadline(&self) -> Instant {
        self.deadline.get()
    }

    /// Moves the deadline (one session serves several checks, each with its own). A
    /// budget already spent stays spent: what was built under it is incomplete.
    pub fn set_deadline(&self, deadline: Instant) {
        self.deadline.set(deadline);
    }

    /// The memory budget in bytes.
    pub fn max_memory(&self) -> u64 {
        self.max_memory
    }

    /// Why the budget is spent, if it is.
    pub fn spent(&self) -> Option<String> {
        self.spent.borrow().clone()
    }

    fn spend(&self, why: String) -> Result<(), String> {
        *self.spent.borrow_mut() = Some(why.clone());
        Err(why)
    }

    /// Called by the encoding's loops: `Err(reason)` once the deadline has passed or the
    /// process holds more resident memory than the budget (read every
    /// [`MEMORY_POLL_EVERY`] polls); the budget then stays spent.
    pub fn poll(&self) -> Result<(), String> {
        if let Some(why) = self.spent() {
            return Err(why);
        }
        let n = self.polls.get();
        self.polls.set(n.wrapping_add(1));
        if Instant::now() >= self.deadline.get() {
            return self.spend(ENCODING_TIMEOUT.to_string());
        }
        if n.is_multiple_of(MEMORY_POLL_EVERY) {
            self.check_memory()?;
        }
        Ok(())
    }

    /// Reads resident memory now: `Err(reason)` (and spent) when over the budget.
    pub fn check_memory(&self) -> Result<(), String> {
        if let Some(why) = self.spent() {
            return Err(why);
        }
        if self.max_memory < u64::MAX && resident_memory().is_some_and(|r| r > self.max_memory) {
            return self.spend(memory_reason(self.max_memory));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn parses_sizes() {
        assert_eq!(parse_size("512M"), Ok(512 * MIB));
        assert_eq!(parse_size("2G"), Ok(2 * GIB));
        assert_eq!(parse_size("2gib"), Ok(2 * GIB));
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("3 KB"), Ok(3 * KIB));
        assert!(parse_size("0").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("-1G").is_err());
        assert!(parse_size("1.5G").is_err());
        assert!(parse_size("12X").is_err());
        assert!(parse_size("99999999999T").is_err());
    }

    #[test]
    fn formats_sizes() {
        assert_eq!(format_size(512 * MIB), "512 MiB");
        assert_eq!(format_size(2 * GIB), "2 GiB");
        assert_eq!(format_size(1536 * MIB), "1536 MiB");
        assert_eq!(format_size(1000), "1000 bytes");
    }

    #[test]
    fn a_past_deadline_spends_the_budget_for_good() {
        let b = Budget::new(Instant::now(), u64::MAX);
        assert_eq!(b.poll(), Err(ENCODING_TIMEOUT.to_string()));
        b.set_deadline(Instant::now() + Duration::from_secs(3600));
        assert_eq!(b.poll(), Err(ENCODING_TIMEOUT.to_string()));
    }

    #[test]
    fn a_budget_below_the_resident_set_is_spent_on_the_first_poll() {
        // This process holds more than one KiB; where memory cannot be read the budget
        // cannot be enforced, which the test then only shows as not spent.
        let b = Budget::new(Instant::now() + Duration::from_secs(3600), KIB);
        match resident_memory() {
            Some(_) => assert_eq!(b.poll(), Err(memory_reason(KIB))),
            None => assert_eq!(b.poll(), Ok(())),
        }
    }

    #[test]
    fn a_generous_budget_is_not_spent() {
        let b = Budget::new(Instant::now() + Duration::from_secs(3600), u64::MAX);
        for _ in 0..200 {
            assert_eq!(b.poll(), Ok(()));
        }
        assert!(physical_memory().is_some_and(|t| default_max_memory() <= t));
    }
}

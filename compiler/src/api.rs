//! The one-call library API: exactly what `avscheck check` reports.
//!
//! ```no_run
//! let report = avscheck::check_file("network/prod.avs", &avscheck::Options::default());
//! print!("{report}"); // deterministic, colour-free
//! assert!(report.all_hold(), "{report}");
//! ```
//!
//! [`check_source`] and [`check_file`] return a [`Report`] (the typed JSON report of
//! `--format json`: `Serialize`, `Display`), with every diagnostic and error-level
//! finding, every check's verdict and one verdict per property line. [`Checked`] is the
//! same result before rendering (sources and spans), from which the command line renders
//! human output, SARIF and GitHub annotations.

use crate::diagnostic::{sort_diagnostics, Diagnostic, SourceMap};
use crate::report::json::{self, FileReport, InputError, Report, FORMAT_VERSION};
use crate::report::CheckResult;
use crate::span::{FileId, Span};
use crate::{Analysis, VerifyOptions};
use std::path::Path;
use std::time::Duration;

/// What to verify.
#[derive(Clone, Debug)]
pub struct Options {
    /// Time budget of one check (all its property lines); default 60 s. When it runs
    /// out the check is `unknown`, never `pass`.
    pub timeout: Duration,
    /// Only the check with this exact title (`--check TITLE`). A title the design does
    /// not have is an error (AVS0802, exit status 2), never a silent pass.
    pub only: Option<String>,
    /// Bytes of resident memory the process may hold while verifying (`--max-memory`);
    /// default half the machine's physical memory
    /// ([`crate::budget::default_max_memory`]). Past it a check is `unknown` with the
    /// reason "memory budget of ... exceeded", never `pass`.
    pub max_memory: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(60),
            only: None,
            max_memory: crate::budget::default_max_memory(),
        }
    }
}

/// One design, checked: everything a report is rendered from.
#[derive(Debug)]
pub struct Checked {
    /// The name the file is shown under.
    pub name: String,
    /// The analysis (`None`: the file could not be read).
    pub analysis: Option<Analysis>,
    /// Why the file could not be read (AVS0800, AVS0801, AVS0803).
    pub input_error: Option<InputError>,
    /// The verdicts, in source order.
    pub checks: Vec<CheckResult>,
    /// Diagnostics, error-level findings and request errors, sorted.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// A file that could not be read.
    pub fn unreadable(name: &str, code: &str, message: String) -> Checked {
        Checked {
            name: name.to_string(),
            analysis: None,
            input_error: Some(InputError {
                code: code.to_string(),
                message,
            }),
            checks: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// The user's file and the sources spans point into.
    pub fn sources(&self) -> Option<(&SourceMap, FileId)> {
        self.analysis.as_ref().map(|a| (&a.sources, a.file))
    }

    /// True when the design could not be analysed (unreadable, syntax, names, types, a
    /// bad request): exit status 2.
    pub fn is_unusable(&self) -> bool {
        self.input_error.is_some()
            || self.analysis.as_ref().is_none_or(Analysis::is_unusable)
            || self.diagnostics.iter().any(|d| d.code == NO_SUCH_CHECK)
    }

    /// 0 every check holds and nothing is error-level; 1 a check fails or is unknown, an
    /// error-level finding, or nothing was verified; 2 unusable.
    pub fn exit_status(&self) -> u8 {
        if self.is_unusable() {
            2
        } else if self.diagnostics.iter().any(Diagnostic::is_error)
            || self.diagnostics.iter().any(|d| d.code == NOTHING_VERIFIED)
            || self.checks.iter().any(|c| !c.status.holds())
        {
            1
        } else {
            0
        }
    }

    /// The typed report of this file.
    pub fn report(&self) -> FileReport {
        let (checks, diagnostics) = match self.sources() {
            Some((sources, file)) => (
                self.checks
                    .iter()
                    .map(|c| json::check_report(sources, file, c))
                    .collect(),
                self.diagnostics
                    .iter()
                    .map(|d| json::diagnostic_report(sources, file, d))
                    .collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        FileReport {
            file: self.name.clone(),
            error: self.input_error.clone(),
            checks,
            diagnostics,
            summary: json::summary(&self.checks),
            exit_status: self.exit_status(),
        }
    }
}

/// The longest time budget of a check: a week (a larger `Options::timeout` is cut to it).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);

/// The code of "`--check` names no check".
pub const NO_SUCH_CHECK: &str = "AVS0802";
/// The code of "nothing was verified".
pub const NOTHING_VERIFIED: &str = "AVS0704";

/// The report of several checked designs.
pub fn report(checked: &[Checked]) -> Report {
    Report {
        format_version: FORMAT_VERSION,
        files: checked.iter().map(Checked::report).collect(),
    }
}

/// Checks one design given as text; `name` is how it is shown (keep it relative).
pub fn check_source(name: &str, text: &str, opts: &Options) -> Report {
    report(&[run_source(name, text, opts)])
}

/// Reads and checks one design file; the report names it as given. A file that cannot
/// be read is a report with an `error` (exit status 2), not a Rust error.
pub fn check_file(path: impl AsRef<Path>, opts: &Options) -> Report {
    let path = path.as_ref();
    report(&[run_file(path, &path.display().to_string(), opts)])
}

/// The largest input file avscheck reads, in bytes (16 MiB): a design or an FRR
/// configuration; the largest real designs we know are about 150 KB. A larger file,
/// or one that never ends (`/dev/zero`, a pipe), is refused after reading this much,
/// so reading stays bounded whatever the budget options say.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

/// How long reading one input file may take, in seconds (10 s; a 16 MiB file reads in
/// well under a second). A read that has not finished by then — a kernel file that
/// waits for events, a pipe whose writer never closes it — is refused, so no input can
/// hang avscheck. Standard input (`-`) is not timed: the user chose to type or pipe it.
pub const MAX_READ_SECONDS: u64 = 10;

/// The kernel's pseudo file systems: files there report themselves regular (often of
/// size 0) yet may block on read (`/proc/kmsg`), never end, or fail with EINVAL
/// (`/proc/self/pagemap`). No design or configuration lives there.
const SYSTEM_DIRS: [&str; 3] = ["/proc", "/sys", "/dev"];

/// The system directory (`/proc`, `/sys`, `/dev`) that `path` resolves into after
/// symbolic links and `..` are followed, if any. A path that cannot be resolved
/// (missing, or a `/dev/fd/N` naming a pipe) is left to the open to judge.
fn system_dir(path: &Path) -> Option<&'static str> {
    let canonical = std::fs::canonicalize(path).ok()?;
    SYSTEM_DIRS
        .into_iter()
        .find(|dir| canonical.starts_with(Path::new(dir)))
}

fn refuse_system_dir(path: &Path) -> Result<(), String> {
    match system_dir(path) {
        Some(dir) => Err(format!(
            "it resolves into `{dir}`, the kernel's pseudo files (reading them may block or never end); copy the file elsewhere"
        )),
        None => Ok(()),
    }
}

/// Reads a whole input file, at most [`MAX_INPUT_BYTES`] within [`MAX_READ_SECONDS`].
/// `Err` is why not, without the file's name: it does not exist, permissions, a
/// directory or device (only regular files and pipes are read), a path into `/proc`,
/// `/sys` or `/dev`, too large, or too slow.
pub fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    refuse_system_dir(path)?;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    let kind = meta.file_type();
    #[cfg(unix)]
    let is_pipe = std::os::unix::fs::FileTypeExt::is_fifo(&kind);
    #[cfg(not(unix))]
    let is_pipe = false;
    if kind.is_dir() {
        return Err("it is a directory".to_string());
    }
    if !kind.is_file() && !is_pipe {
        return Err("it is not a regular file (a device or socket)".to_string());
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    read_within(file, std::time::Duration::from_secs(MAX_READ_SECONDS))
}

/// Reads a whole input file that must be a regular file (an FRR configuration named
/// by `config "PATH"`), at most [`MAX_INPUT_BYTES`] within [`MAX_READ_SECONDS`]. A
/// path that resolves into `/proc`, `/sys` or `/dev`, or names a FIFO, device, socket
/// or directory, is refused before it is opened (opening a FIFO would block until a
/// writer comes, reading a device or `/proc/kmsg` may never end); the opened file is
/// checked again, so a path swapped after the first check is refused too, and the
/// read itself is timed. `Err` is why not.
pub fn read_regular_file(path: &Path) -> Result<Vec<u8>, String> {
    let regular = |kind: std::fs::FileType| -> Result<(), String> {
        if kind.is_dir() {
            Err("it is a directory".to_string())
        } else if !kind.is_file() {
            Err("it is not a regular file (a pipe, device or socket)".to_string())
        } else {
            Ok(())
        }
    };
    refuse_system_dir(path)?;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    regular(meta.file_type())?;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    regular(meta.file_type())?;
    if meta.len() > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    read_within(file, std::time::Duration::from_secs(MAX_READ_SECONDS))
}

/// Reads standard input, at most [`MAX_INPUT_BYTES`].
pub fn read_stdin() -> Result<Vec<u8>, String> {
    read_bounded(std::io::stdin().lock())
}

/// [`read_bounded`] on a helper thread, given up after `limit`: a read that blocks
/// (a pipe with a silent writer, a kernel file) is `Err`, and the blocked thread is
/// left behind (it ends with the process; nothing else waits for it).
fn read_within(file: std::fs::File, limit: std::time::Duration) -> Result<Vec<u8>, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("avscheck-read".to_string())
        .spawn(move || {
            let _ = tx.send(read_bounded(file));
        })
        .map_err(|e| e.to_string())?;
    match rx.recv_timeout(limit) {
        Ok(read) => read,
        Err(_) => Err(format!(
            "reading it did not finish within {} s (a pipe or a file that waits for data?)",
            limit.as_secs_f64()
        )),
    }
}

fn read_bounded(r: impl std::io::Read) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut buf = Vec::new();
    r.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if !u64::try_from(buf.len()).is_ok_and(|n| n <= MAX_INPUT_BYTES) {
        return Err(too_large());
    }
    Ok(buf)
}

fn too_large() -> String {
    format!(
        "it is larger than {} MiB, the most avscheck reads",
        MAX_INPUT_BYTES >> 20
    )
}

/// Decodes a file's bytes (a leading UTF-8 byte-order mark is kept: columns count
/// characters after it, like editors do).
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<String, InputError> {
    String::from_utf8(bytes).map_err(|e| {
        // Where the first invalid byte is, as an editor counts: line, and column in
        // characters of the valid text before it.
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let valid = std::str::from_utf8(bytes.get(..at).unwrap_or_default()).unwrap_or_default();
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let byte = bytes.get(at).map_or(String::new(), |b| format!(" 0x{b:02X}"));
        InputError {
            code: "AVS0800".to_string(),
            message: format!(
                "`{}` is not valid UTF-8: invalid byte{byte} at {line}:{column} (byte offset {at}); save the file as UTF-8 (an editor's \"encoding\" setting, or `iconv -f LATIN1 -t UTF-8`)",
                json::truncate_quoted(name),
            ),
        }
    })
}

/// Reads and checks one file, shown as `name`.
pub fn run_file(path: &Path, name: &str, opts: &Options) -> Checked {
    match read_input(path) {
        Ok(bytes) => match decode(name, bytes) {
            Ok(text) => run_source(name, &text, opts),
            Err(e) => Checked::unreadable(name, &e.code, e.message),
        },
        Err(e) => Checked::unreadable(
            name,
            "AVS0801",
            format!("cannot read `{}`: {e}", json::truncate_quoted(name)),
        ),
    }
}

/// Analyses and verifies one design given as text.
pub fn run_source(name: &str, text: &str, opts: &Options) -> Checked {
    let analysis = crate::analyse(name, text);
    let verification = crate::verify(
        &analysis,
        &VerifyOptions {
            // Deadlines are `now + timeout`: a huge value must not overflow `Instant`.
            timeout: opts.timeout.min(MAX_TIMEOUT),
            only: opts.only.clone(),
            max_memory: opts.max_memory,
        },
    );
    let mut diagnostics = analysis.diagnostics.clone();
    diagnostics.extend(verification.findings);
    if let Some(net) = &analysis.network {
        let at_start = Span::new(analysis.file, 0, 0);
        if let Some(title) = opts
            .only
            .as_ref()
            .filter(|_| verification.checks.is_empty())
        {
            let titles: Vec<&str> = net.checks.values().map(|c| c.title.as_str()).collect();
            let mut d = Diagnostic::error(
                NO_SUCH_CHECK,
                format!(
                    "`{}` has no check titled `{}`",
                    json::truncate_quoted(name),
                    json::truncate_quoted(title)
                ),
            )
            .primary(at_start, "in this design");
            if let Some(near) = crate::suggest::did_you_mean(title, titles.iter().copied()) {
                d = d.help(format!("did you mean `{near}`?"));
            }
            d = d.note(if titles.is_empty() {
                "it has no checks".to_string()
            } else {
                let quoted: Vec<String> = titles.iter().map(|t| format!("`{t}`")).collect();
                format!("its checks: {}", quoted.join(", "))
            });
            diagnostics.push(d);
        } else if net.checks.is_empty() {
            diagnostics.push(
                Diagnostic::warning(NOTHING_VERIFIED, "nothing was verified")
                    .primary(at_start, "this design has no `check`")
                    .help("add a check, e.g. `check \"no loops\" { loop_free }` (docs/language.md)")
                    .note("exit status 1: a design that proves nothing does not pass"),
            );
        }
    }
    sort_diagnostics(&mut diagnostics);
    Checked {
        name: name.to_string(),
        analysis: Some(analysis),
        input_error: None,
        checks: verification.checks,
        diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A read that blocks (a FIFO held open by a writer that never writes) is given up
    /// after the limit, not waited for.
    #[cfg(unix)]
    #[test]
    fn a_blocked_read_is_given_up() {
        let Ok(tmp) = tempfile::tempdir() else { return };
        let fifo = tmp.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            eprintln!("note: mkfifo not available");
            return;
        }
        // Read-write: the open does not wait for a writer, and the read waits forever.
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&fifo);
        let Ok(file) = file else { return };
        let started = std::time::Instant::now();
        let read = read_within(file, std::time::Duration::from_millis(300));
        assert!(
            read.as_ref().is_err_and(|e| e.contains("did not finish")),
            "{read:?}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    /// Paths into the kernel's pseudo file systems are refused by where they resolve,
    /// before anything is opened; ordinary paths are not.
    #[test]
    fn system_paths_are_refused_by_where_they_resolve() {
        for path in [
            "/proc/kmsg",
            "/proc/self/pagemap",
            "/sys/kernel/notes",
            "/dev/null",
        ] {
            if Path::new(path).exists() {
                let e = read_regular_file(Path::new(path));
                assert!(
                    e.as_ref().is_err_and(|e| e.contains("resolves into")),
                    "{path}: {e:?}"
                );
                let e = read_input(Path::new(path));
                assert!(
                    e.as_ref().is_err_and(|e| e.contains("resolves into")),
                    "{path}: {e:?}"
                );
            }
        }
        assert_eq!(system_dir(Path::new("/proc/../etc")), None);
        assert_eq!(system_dir(Path::new("/etc/../proc/self")), Some("/proc"));
    }
}

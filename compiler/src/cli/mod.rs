//! The command line (LANGUAGE.md §4): argument parsing and rendering only.

mod check;
mod output;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub use output::Output;

#[derive(Parser, Debug)]
#[command(
    name = "avscheck",
    version,
    about = "Verify hybrid Azure network designs (AVS, ExpressRoute, Route Server, NVAs) before they are deployed",
    long_about = None,
    after_help = "`avscheck FILE` is short for `avscheck check FILE`.\nExit status: 0 every check holds; 1 a check fails or is unknown, an error-level finding, or nothing was verified; 2 the input cannot be read or analysed."
)]
pub struct Cli {
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// rustc-style diagnostics and one line per check.
    Human,
    /// The typed report (docs/report.schema.json).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...,line=...,col=...::`).
    Github,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Svg,
    Dot,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Verify every check of the designs (the default command).
    Check {
        /// Design files; a directory means every `.avs` file under it (sorted); `-`
        /// reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// Only the check with this title.
        #[arg(long = "check", value_name = "TITLE")]
        only: Option<String>,
        /// Solver time budget per check, in seconds (0 to 604800, a week; 0 gives `unknown` at once).
        // Parsed as i64 so that a negative number is refused by the range ("-1 is not in
        // 0..=604800"), not by u64's digit parser or as a stray argument.
        #[arg(long, default_value_t = 60, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(0..=MAX_TIMEOUT_SECS))]
        timeout: i64,
        /// Memory budget of the process: a size with an optional unit K, M, G or T
        /// (powers of 1024), e.g. `512M`, `2G`. Past it a check is `unknown`, never
        /// `pass`. Default: half the machine's physical memory.
        #[arg(long = "max-memory", value_name = "SIZE", value_parser = avscheck::budget::parse_size)]
        max_memory: Option<u64>,
    },
    /// Show the RIBs of BGP speakers and the effective routes of subnets.
    Routes {
        file: PathBuf,
        /// Only this node or subnet.
        #[arg(long)]
        node: Option<String>,
        /// Take this component down first (repeatable), e.g. a counterexample's `failed`.
        #[arg(long = "without", value_name = "NAME")]
        without: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Follow packets from a node, subnet or address to an address.
    Trace {
        file: PathBuf,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// Take this component down first (repeatable), e.g. a counterexample's `failed`.
        #[arg(long = "without", value_name = "NAME")]
        without: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Draw the topology (and a check's counterexample on it).
    Graph {
        file: PathBuf,
        #[arg(long = "check", value_name = "TITLE")]
        only: Option<String>,
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
    },
}

/// The largest `--timeout`: a week (larger values would overflow deadlines).
pub const MAX_TIMEOUT_SECS: i64 = 7 * 24 * 3600;

const SUBCOMMANDS: &[&str] = &["check", "routes", "trace", "graph", "help"];

/// `avscheck FILE...` means `avscheck check FILE...`, options included
/// (`avscheck --timeout 10 FILE` is `avscheck check --timeout 10 FILE`); `--help`,
/// `--version` and the subcommands keep their meaning.
pub fn normalise_args(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    // Find the first argument that is not a global option.
    let mut i = 1;
    while let Some(a) = args.get(i) {
        let s = a.to_string_lossy();
        if s == "--color" {
            i += 2;
            continue;
        }
        if s.starts_with("--color=") {
            i += 1;
            continue;
        }
        break;
    }
    if let Some(first) = args.get(i) {
        let s = first.to_string_lossy();
        let top_level = ["-h", "--help", "-V", "--version"];
        if !SUBCOMMANDS.contains(&s.as_ref()) && !top_level.contains(&s.as_ref()) {
            args.insert(i, "check".into());
        }
    }
    args
}

/// Runs the command line; returns the exit status.
pub fn run() -> i32 {
    let args = normalise_args(std::env::args_os().collect());
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let out = Output::new(cli.color);
    match cli.command {
        Command::Check {
            files,
            format,
            only,
            timeout,
            max_memory,
        } => check::check(
            &out,
            &files,
            format,
            only,
            timeout.unsigned_abs(),
            max_memory,
        ),
        Command::Routes {
            file,
            node,
            without,
            format,
        } => check::routes(&out, &file, node.as_deref(), &without, format),
        Command::Trace {
            file,
            from,
            to,
            without,
            format,
        } => check::trace(&out, &file, &from, &to, &without, format),
        Command::Graph { file, only, format } => check::graph(&out, &file, only.as_deref(), format),
    }
}

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
    after_help = "`avscheck FILE` is short for `avscheck check FILE`.\nExit status: 0 every check holds; 1 a check fails or is unknown, or an error-level finding; 2 the input cannot be analysed."
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
    Human,
    Json,
    Sarif,
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
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// Only the check with this title.
        #[arg(long = "check", value_name = "TITLE")]
        only: Option<String>,
        /// Solver timeout per check, in seconds.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
    /// Show the RIBs of BGP speakers and the effective routes of subnets.
    Routes {
        file: PathBuf,
        /// Only this node or subnet.
        #[arg(long)]
        node: Option<String>,
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

const SUBCOMMANDS: &[&str] = &["check", "routes", "trace", "graph", "help"];

/// `avscheck FILE...` means `avscheck check FILE...`.
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
        let is_flag = s.starts_with('-');
        if !is_flag && !SUBCOMMANDS.contains(&s.as_ref()) {
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
        } => check::check(&out, &files, format, only, timeout),
        Command::Routes { file, node, format } => {
            check::routes(&out, &file, node.as_deref(), format)
        }
        Command::Trace {
            file,
            from,
            to,
            format,
        } => check::trace(&out, &file, &from, &to, format),
        Command::Graph { file, only, format } => check::graph(&out, &file, only.as_deref(), format),
    }
}

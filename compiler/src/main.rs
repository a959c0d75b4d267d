//! The `avscheck` binary: parses arguments, calls the library, renders.

mod cli;

fn main() {
    std::process::exit(cli::run());
}

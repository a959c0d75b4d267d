fn main() {
    std::process::exit(avscheck_cli::run());
}
mod avscheck_cli {
    pub fn run() -> i32 {
        0
    }
}

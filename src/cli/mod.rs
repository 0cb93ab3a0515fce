//! The `parkdesk` command line: one binary, a subcommand per role.

/// Runs the command line and returns the process's exit code.
pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}

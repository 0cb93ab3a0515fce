//! The `parkdesk` binary: every role behind one command.

fn main() -> std::process::ExitCode {
    parkdesk::cli::main()
}

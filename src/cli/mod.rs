//! The `parkdesk` command line: one binary, a subcommand per role.
//!
//! Tokens never travel on the command line (`ps` shows argv): clients read `PARKDESK_TOKEN`
//! or `--token-file`.

pub mod admin;
pub mod announcer_cmd;
pub mod bench_ws;
pub mod console_cmd;
pub mod engine_cmd;
pub mod engine_ops;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// parkdesk: call park and pickup engine, with the receptionist's console.
#[derive(Debug, Parser)]
#[command(name = "parkdesk", version, about, long_about = None)]
pub struct Cli {
    /// Configuration file (default: the XDG config file, if any).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log level (error, warn, info, debug, trace); logs go to a file, never the terminal.
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<String>,
    /// Theme, key map and mouse of the demo's console (no subcommand), as `console` takes them.
    #[command(flatten)]
    pub look: Look,
    /// The role to run; none runs the console on an embedded demo engine.
    #[command(subcommand)]
    pub command: Option<Role>,
}

/// Where a client finds the engine and its token.
#[derive(Debug, Clone, clap::Args)]
pub struct Connect {
    /// Engine URL, e.g. ws://127.0.0.1:7370/v1 (default: [console] engine in the config).
    #[arg(long, value_name = "URL")]
    pub engine: Option<String>,
    /// A file holding the token (otherwise PARKDESK_TOKEN).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
}

/// How the board looks and takes input.
#[derive(Debug, Clone, Default, PartialEq, clap::Args)]
pub struct Look {
    /// Theme: default, light, high-contrast, NAME for themes/NAME.toml (here or in the
    /// user's config directory), or a file (default: [console] theme).
    #[arg(long)]
    pub theme: Option<String>,
    /// Key map: desk, vim, or a file (default: [console] keymap).
    #[arg(long)]
    pub keymap: Option<String>,
    /// Ignore the mouse.
    #[arg(long)]
    pub no_mouse: bool,
}

impl Look {
    /// These options, each one not given taken from `outer` (`parkdesk --theme light
    /// console` is `parkdesk console --theme light`).
    pub fn or(self, outer: Look) -> Look {
        Look {
            theme: self.theme.or(outer.theme),
            keymap: self.keymap.or(outer.keymap),
            no_mouse: self.no_mouse || outer.no_mouse,
        }
    }
}

/// The roles.
#[derive(Debug, Subcommand)]
pub enum Role {
    /// The receptionist's console on an engine.
    Console {
        /// Engine and token.
        #[command(flatten)]
        connect: Connect,
        /// Theme, key map, mouse.
        #[command(flatten)]
        look: Look,
    },
    /// The same board, read-only (fit for an SSH session).
    Monitor {
        /// Engine and token.
        #[command(flatten)]
        connect: Connect,
        /// Theme, key map, mouse.
        #[command(flatten)]
        look: Look,
    },
    /// Run the park engine: WebSocket API, timers, store. SIGTERM is a planned restart
    /// (every call left as it is), SIGUSR1 a drain (every call handed back, then hung up).
    Engine {
        /// Override [server] listen.
        #[arg(long, value_name = "ADDR")]
        listen: Option<std::net::SocketAddr>,
        /// Ask a running engine to restart or drain (admin token); none runs the engine.
        #[command(subcommand)]
        action: Option<EngineAction>,
    },
    /// The headless PA station: plays its zone's announcements.
    Announcer(announcer_cmd::AnnouncerArgs),
    /// Queue a PA announcement, or --preview one to a WAV file.
    Announce(announcer_cmd::AnnounceArgs),
    /// Administer policies, ranges, users, groups, tokens, operators, numbers, addresses
    /// and history.
    Admin(admin::AdminArgs),
    /// Check a configuration file and report every problem with file, line and key.
    Config {
        /// What to do.
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Measure the engine.
    Bench {
        /// Which benchmark.
        #[command(subcommand)]
        which: BenchKind,
    },
}

/// `parkdesk engine …`: what an admin asks of a running engine.
#[derive(Debug, Subcommand)]
pub enum EngineAction {
    /// A planned restart in place: stop accepting, write the state, start again; every
    /// call stays up untouched.
    Restart {
        /// Engine and (admin) token.
        #[command(flatten)]
        connect: Connect,
    },
    /// Take the engine out of service: new parks refused (`503` with `Retry-After`),
    /// parked calls handed back to their parkers, every leg hung up, then the process exits.
    Drain {
        /// Engine and (admin) token.
        #[command(flatten)]
        connect: Connect,
    },
}

/// `parkdesk config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Load and validate a file (default: the layered configuration) and print the result.
    Check {
        /// The file.
        file: Option<PathBuf>,
    },
}

/// `parkdesk bench …`.
#[derive(Debug, Subcommand)]
pub enum BenchKind {
    /// Event fan-out: latency from park to delivery at many subscribers.
    Ws(bench_ws::BenchWsArgs),
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("parkdesk: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    // Don't wait for blocked reader threads (stdin) at exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("parkdesk: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let look = cli.look;
    if cli.command.as_ref().is_some_and(|role| {
        !matches!(role, Role::Console { .. } | Role::Monitor { .. }) && look != Look::default()
    }) {
        anyhow::bail!(
            "--theme, --keymap and --no-mouse are for the board: `parkdesk` (the demo), \
             `parkdesk console` or `parkdesk monitor`"
        );
    }
    match cli.command {
        None => {
            engine_cmd::run_embedded(cli.config.as_deref(), cli.log_level.as_deref(), look).await
        }
        Some(Role::Console { connect, look: own }) => {
            console_cmd::run(
                cli.config.as_deref(),
                cli.log_level.as_deref(),
                connect,
                own.or(look),
                false,
            )
            .await
        }
        Some(Role::Monitor { connect, look: own }) => {
            console_cmd::run(
                cli.config.as_deref(),
                cli.log_level.as_deref(),
                connect,
                own.or(look),
                true,
            )
            .await
        }
        Some(Role::Engine {
            listen,
            action: None,
        }) => engine_cmd::run_engine(cli.config.as_deref(), cli.log_level.as_deref(), listen).await,
        Some(Role::Engine {
            action: Some(EngineAction::Restart { connect }),
            ..
        }) => {
            engine_cmd::request_stop(
                cli.config.as_deref(),
                connect,
                crate::server::StopRequest::Restart,
            )
            .await
        }
        Some(Role::Engine {
            action: Some(EngineAction::Drain { connect }),
            ..
        }) => {
            engine_cmd::request_stop(
                cli.config.as_deref(),
                connect,
                crate::server::StopRequest::Drain,
            )
            .await
        }
        Some(Role::Announcer(args)) => {
            announcer_cmd::run_station(cli.config.as_deref(), cli.log_level.as_deref(), args).await
        }
        Some(Role::Announce(args)) => {
            announcer_cmd::run_announce(cli.config.as_deref(), cli.log_level.as_deref(), args).await
        }
        Some(Role::Admin(args)) => admin::run(cli.config.as_deref(), args).await,
        Some(Role::Config {
            action: ConfigAction::Check { file },
        }) => {
            let path = file.as_deref().or(cli.config.as_deref());
            match crate::config::check_with_warnings(path) {
                Ok((_, warnings)) => {
                    for warning in warnings {
                        eprintln!("warning: {warning}");
                    }
                    println!("configuration OK");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("{e}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Some(Role::Bench {
            which: BenchKind::Ws(args),
        }) => bench_ws::run(args).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(theme: &str, keymap: &str) -> Look {
        Look {
            theme: Some(theme.into()),
            keymap: Some(keymap.into()),
            no_mouse: true,
        }
    }

    #[test]
    fn the_demo_takes_the_same_look_options_as_the_console() {
        let cli = Cli::try_parse_from([
            "parkdesk",
            "--theme",
            "harbour",
            "--keymap",
            "vim",
            "--no-mouse",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(cli.command.is_none(), "no subcommand: the demo");
        assert_eq!(cli.look, look("harbour", "vim"));
    }

    #[test]
    fn the_console_still_takes_its_look_options_after_its_name() {
        let cli = Cli::try_parse_from([
            "parkdesk",
            "console",
            "--engine",
            "ws://127.0.0.1:7370/v1",
            "--theme",
            "light",
            "--keymap",
            "vim",
            "--no-mouse",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let Some(Role::Console { look: own, .. }) = cli.command else {
            panic!("not the console: {:?}", cli.command);
        };
        assert_eq!(own.or(cli.look), look("light", "vim"));
    }

    #[test]
    fn look_options_after_the_subcommand_win_over_those_before() {
        let cli = Cli::try_parse_from([
            "parkdesk", "--theme", "light", "monitor", "--theme", "harbour",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let Some(Role::Monitor { look: own, .. }) = cli.command else {
            panic!("not the monitor: {:?}", cli.command);
        };
        assert_eq!(own.or(cli.look).theme.as_deref(), Some("harbour"));
    }
}

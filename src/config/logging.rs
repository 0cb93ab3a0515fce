//! Logging: `tracing` events filtered by level and written to daily files in the log
//! directory through a non-blocking writer. Nothing goes to stdout or stderr, which belong
//! to the console's screen and to the CLI's answers.

use super::error::ConfigError;
use super::settings::LogSettings;
use std::path::{Path, PathBuf};
use thiserror::Error;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The log files' name: `parkdesk.YYYY-MM-DD.log`.
const FILE_PREFIX: &str = "parkdesk";
const FILE_SUFFIX: &str = "log";

/// Why logging could not start.
#[derive(Debug, Error)]
pub enum LogError {
    /// The log directory has no default location.
    #[error(transparent)]
    Location(#[from] ConfigError),
    /// The log directory could not be created.
    #[error("cannot create the log directory {}: {source}", dir.display())]
    Directory {
        /// The directory.
        dir: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The level is not a filter `tracing` understands.
    #[error("log level '{level}' is not a filter: {message}")]
    Filter {
        /// The level as given.
        level: String,
        /// The parser's complaint.
        message: String,
    },
    /// The daily file could not be opened.
    #[error("cannot open the log file in {}: {source}", dir.display())]
    Appender {
        /// The directory.
        dir: PathBuf,
        /// The appender's error.
        #[source]
        source: tracing_appender::rolling::InitError,
    },
    /// A global subscriber is already installed (logging was started twice).
    #[error("logging is already started: {0}")]
    AlreadyStarted(String),
}

/// Keeps logging alive: dropping it flushes what is buffered and stops the writer thread, so
/// hold it until the process ends.
#[must_use = "logging stops when the guard is dropped"]
#[derive(Debug)]
pub struct LogGuard {
    _writer: WorkerGuard,
    dir: PathBuf,
}

impl LogGuard {
    /// The directory the log files are written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Starts logging to daily files in `settings`' directory, at `level_override` if given
/// (a `--log-level` flag) or else `settings.level`. Keeps `settings.keep` files.
pub fn init(settings: &LogSettings, level_override: Option<&str>) -> Result<LogGuard, LogError> {
    let level = level_override.unwrap_or(&settings.level);
    let filter = EnvFilter::try_new(level).map_err(|e| LogError::Filter {
        level: level.to_string(),
        message: e.to_string(),
    })?;
    let dir = settings.directory()?;
    std::fs::create_dir_all(&dir).map_err(|source| LogError::Directory {
        dir: dir.clone(),
        source,
    })?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(FILE_PREFIX)
        .filename_suffix(FILE_SUFFIX)
        .max_log_files(settings.keep.max(1))
        .build(&dir)
        .map_err(|source| LogError::Appender {
            dir: dir.clone(),
            source,
        })?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    tracing_subscriber::registry()
        .with(filter)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(false),
        )
        .try_init()
        .map_err(|e| LogError::AlreadyStarted(e.to_string()))?;
    Ok(LogGuard {
        _writer: guard,
        dir,
    })
}

//! Reading the bearer token: from `PARKDESK_TOKEN` or a token file, never from argv
//! (`ps` shows every process's arguments).

use super::error::ClientError;
use std::path::Path;

/// The environment variable holding the token.
pub const TOKEN_ENV: &str = "PARKDESK_TOKEN";

/// The token from `--token-file` if one is given, else from `PARKDESK_TOKEN`.
///
/// An explicit file wins over the environment because it was asked for on this run.
/// Surrounding whitespace (the file's trailing newline) is trimmed; an empty token is an error.
pub fn read_token(token_file: Option<&Path>) -> Result<String, ClientError> {
    let env = std::env::var(TOKEN_ENV).ok();
    token_from(env.as_deref(), token_file)
}

/// [`read_token`] with the environment value passed in, so it can be tested without
/// touching the process environment.
pub fn token_from(
    env_value: Option<&str>,
    token_file: Option<&Path>,
) -> Result<String, ClientError> {
    if let Some(path) = token_file {
        let text = std::fs::read_to_string(path).map_err(|source| ClientError::TokenFile {
            path: path.to_path_buf(),
            source,
        })?;
        let token = text.trim();
        if token.is_empty() {
            return Err(ClientError::EmptyToken {
                source_name: path.display().to_string(),
            });
        }
        return Ok(token.to_string());
    }
    match env_value {
        Some(value) if !value.trim().is_empty() => Ok(value.trim().to_string()),
        Some(_) => Err(ClientError::EmptyToken {
            source_name: TOKEN_ENV.to_string(),
        }),
        None => Err(ClientError::NoToken),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_token_file_wins_over_the_environment_and_is_trimmed() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "  file-secret  ").unwrap();
        let token = token_from(Some("env-secret"), Some(file.path())).unwrap();
        assert_eq!(token, "file-secret");
    }

    #[test]
    fn the_environment_gives_the_token_when_no_file_is_named() {
        assert_eq!(
            token_from(Some("env-secret\n"), None).unwrap(),
            "env-secret"
        );
    }

    #[test]
    fn no_token_anywhere_is_a_typed_error() {
        assert!(matches!(token_from(None, None), Err(ClientError::NoToken)));
    }

    #[test]
    fn an_empty_token_file_is_refused_naming_the_file() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let err = token_from(Some("env"), Some(file.path())).unwrap_err();
        assert!(err.to_string().contains(&file.path().display().to_string()));
    }

    #[test]
    fn a_missing_token_file_names_the_file() {
        let err = token_from(None, Some(Path::new("/nonexistent/parkdesk.token"))).unwrap_err();
        assert!(matches!(err, ClientError::TokenFile { .. }));
        assert!(err.to_string().contains("/nonexistent/parkdesk.token"));
    }
}

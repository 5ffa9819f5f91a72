//! The core's one error type: a kind to match on, a path to the bad field, and a message for people.

use std::fmt;

/// What went wrong, broadly. Match on this; show [`Error`]'s `Display` to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A price file (the bundled catalog, an import, custom models) is malformed.
    InvalidCatalog,
    /// A usage object is malformed: wrong types, negative counts, a subset above its total.
    InvalidUsage,
    /// No model in the catalog has this name.
    UnknownModel,
    /// More than one model has this name; qualify it with a provider.
    AmbiguousModel,
    /// A request line or option is malformed.
    InvalidRequest,
    /// A token vocabulary asset is corrupt, truncated, or not the expected encoding.
    InvalidVocabulary,
    /// A token ratio table (`data/token-ratios.toml` or the user's) is malformed.
    InvalidTokenRatios,
    /// A book's bytes are not usable text: empty, binary, too large, or only whitespace.
    InvalidText,
    /// A zip archive is not a readable EPUB: no container, no spine, damaged, or a zip bomb.
    InvalidBook,
}

impl ErrorKind {
    /// The snake_case name JSON outputs and fixtures use: `unknown_model`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidCatalog => "invalid_catalog",
            ErrorKind::InvalidUsage => "invalid_usage",
            ErrorKind::UnknownModel => "unknown_model",
            ErrorKind::AmbiguousModel => "ambiguous_model",
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::InvalidVocabulary => "invalid_vocabulary",
            ErrorKind::InvalidTokenRatios => "invalid_token_ratios",
            ErrorKind::InvalidText => "invalid_text",
            ErrorKind::InvalidBook => "invalid_book",
        }
    }
}

/// An error from the core, with the JSON path of the offending field when there is one.
///
/// `Display` is lowercase with no trailing period: `usage.input_tokens: expected a
/// non-negative integer, got -5`.
///
/// One pointer wide, so that a `Result` of a count or a usage stays small on the paths
/// that do not fail (the usage-log readers return many of them per line).
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<Details>);

/// What an [`Error`] says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Details {
    kind: ErrorKind,
    path: Option<String>,
    message: String,
    suggestions: Vec<String>,
}

impl Error {
    /// An error of `kind` with a message for people.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error(Box::new(Details {
            kind,
            path: None,
            message: message.into(),
            suggestions: Vec::new(),
        }))
    }

    /// The same error, located at `path` (`models[3].prices[0].input_mtok`).
    pub fn at(mut self, path: impl Into<String>) -> Error {
        self.0.path = Some(path.into());
        self
    }

    /// The same error, with names the user may have meant.
    pub fn with_suggestions(mut self, suggestions: Vec<String>) -> Error {
        self.0.suggestions = suggestions;
        self
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// Where in the input the error is, when known.
    pub fn path(&self) -> Option<&str> {
        self.0.path.as_deref()
    }

    /// The message without the path.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Close matches for an unknown model name, best first.
    pub fn suggestions(&self) -> &[String] {
        &self.0.suggestions
    }
}

/// As the fields would be shown without the box.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Details {
            kind,
            path,
            message,
            suggestions,
        } = &*self.0;
        f.debug_struct("Error")
            .field("kind", kind)
            .field("path", path)
            .field("message", message)
            .field("suggestions", suggestions)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.0.path {
            write!(f, "{path}: ")?;
        }
        f.write_str(&self.0.message)?;
        if !self.0.suggestions.is_empty() {
            write!(f, " (did you mean {}?)", self.0.suggestions.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// `Debug` shows the fields as the derived one did before they were boxed.
    #[test]
    fn errors_debug_as_their_fields() {
        let error = Error::new(ErrorKind::UnknownModel, "no such model")
            .at("model")
            .with_suggestions(vec!["gpt-4o".into()]);
        assert_eq!(
            format!("{error:?}"),
            r#"Error { kind: UnknownModel, path: Some("model"), message: "no such model", suggestions: ["gpt-4o"] }"#
        );
    }
}

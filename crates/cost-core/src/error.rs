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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    path: Option<String>,
    message: String,
    suggestions: Vec<String>,
}

impl Error {
    /// An error of `kind` with a message for people.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            path: None,
            message: message.into(),
            suggestions: Vec::new(),
        }
    }

    /// The same error, located at `path` (`models[3].prices[0].input_mtok`).
    pub fn at(mut self, path: impl Into<String>) -> Error {
        self.path = Some(path.into());
        self
    }

    /// The same error, with names the user may have meant.
    pub fn with_suggestions(mut self, suggestions: Vec<String>) -> Error {
        self.suggestions = suggestions;
        self
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Where in the input the error is, when known.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The message without the path.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Close matches for an unknown model name, best first.
    pub fn suggestions(&self) -> &[String] {
        &self.suggestions
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{path}: ")?;
        }
        f.write_str(&self.message)?;
        if !self.suggestions.is_empty() {
            write!(f, " (did you mean {}?)", self.suggestions.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

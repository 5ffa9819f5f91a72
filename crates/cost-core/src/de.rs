//! Decoding JSON and TOML text into serde types with errors that say where: the path of the
//! bad field with the `error-paths` feature (`phases[1].output.fixed.low`), otherwise the
//! parser's line and column. Every file format in the crate decodes through here.

use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorKind};

/// Why a text did not decode: what was wrong, and the path of the field when known.
#[derive(Debug)]
pub(crate) struct DecodeError {
    /// `models[3].prices[0].input_mtok`, or empty when the error is not in a field (a syntax
    /// error, or a build without `error-paths`).
    pub path: String,
    pub message: String,
}

impl DecodeError {
    fn new(path: String, message: impl std::fmt::Display) -> DecodeError {
        let path = if path == "." { String::new() } else { path };
        DecodeError {
            path,
            message: message.to_string().trim().to_string(),
        }
    }
}

impl DecodeError {
    /// The crate's error of `kind`, located at the path when there is one.
    pub fn into_error(self, kind: ErrorKind) -> Error {
        let error = Error::new(kind, self.message);
        if self.path.is_empty() {
            error
        } else {
            error.at(self.path)
        }
    }
}

/// Decodes one JSON document (and nothing after it) into `T`.
pub(crate) fn json<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    #[cfg(feature = "error-paths")]
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| DecodeError::new(e.path().to_string(), e.into_inner()))?;
    #[cfg(not(feature = "error-paths"))]
    let value =
        T::deserialize(&mut deserializer).map_err(|e| DecodeError::new(String::new(), e))?;
    deserializer.end().map_err(|e| {
        DecodeError::new(
            String::new(),
            format!("trailing characters after the document: {e}"),
        )
    })?;
    Ok(value)
}

/// Decodes a TOML document into `T`.
#[cfg(feature = "toml")]
pub(crate) fn toml<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    let deserializer =
        ::toml::Deserializer::parse(text).map_err(|e| DecodeError::new(String::new(), e))?;
    #[cfg(feature = "error-paths")]
    return serde_path_to_error::deserialize(deserializer)
        .map_err(|e| DecodeError::new(e.path().to_string(), e.into_inner().message()));
    #[cfg(not(feature = "error-paths"))]
    return T::deserialize(deserializer).map_err(|e| DecodeError::new(String::new(), e));
}

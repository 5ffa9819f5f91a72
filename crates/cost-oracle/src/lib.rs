//! Test-only crate: its tests compare cost-core with the genai-prices crate, so that
//! cost-core itself never depends on genai-prices.

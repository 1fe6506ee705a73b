//! Engines: pure functions from the knowledge and a caller's input to a report. An engine reads
//! no files, clock, environment or network, and knows nothing of MCP or the command line.

pub mod cost;
mod input;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use input::{
    InputError, MAX_QUANTITY, check_quantity, from_json, from_json_str, from_toml_str,
};

/// The Workers plan of an account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    /// Workers Paid: a $5/month subscription with monthly allowances, usage past them billed.
    #[default]
    Paid,
    /// Workers Free: daily allowances; past them requests fail rather than bill.
    Free,
}

impl Plan {
    /// `Workers Paid` or `Workers Free`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Paid => "Workers Paid",
            Self::Free => "Workers Free",
        }
    }
}

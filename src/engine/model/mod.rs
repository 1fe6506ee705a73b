//! The shared input types of the engines: the usage profile, the project context and its
//! observations, the products and plans, the price table, input errors, and how numbers and
//! money are written. Every engine depends on this module (and on `knowledge`); this module
//! depends on no engine.

mod code;
mod context;
pub mod imported;
mod input;
mod number;
mod price;
mod usage;

pub use code::{CodeFinding, ProjectFindings, ProjectSource, RowsAvoided};
pub use context::{ConfigFormat, ConfigSource, Observations, Plan, ProjectContext, Service};
pub use input::{
    InputError, MAX_QUANTITY, check_quantity, closest_name, from_json, from_json_ref,
    from_json_str, from_toml_str,
};
pub use number::{Dollars, Grouped, dollars, grouped, usd};
pub use price::{PriceTable, Pricer, period};
pub use usage::{
    AnalyticsEngineUsage, BrowserRunUsage, ContainersUsage, D1Usage, DurableObjectsUsage,
    HyperdriveUsage, KvUsage, LogpushUsage, ObservabilityUsage, PRODUCT_ORDER, Provenance,
    QueuesUsage, R2InfrequentAccessUsage, R2Usage, UsagePeriod, UsageProfile, VectorizeUsage,
    WorkersAiUsage, WorkersForPlatformsUsage, WorkersLogsUsage, WorkersUsage, WorkflowsUsage,
};

//! Any JSON as the arguments of each tool: decoding and the engines never panic; they return a
//! report or an input error.
#![no_main]

use cf_scale::engine::model::{PriceTable, ProjectContext, UsageProfile, from_json};
use cf_scale::engine::{config, recommend, shard};
use cf_scale::knowledge::knowledge;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let k = knowledge().expect("embedded knowledge loads");
    let prices = PriceTable::builtin(k);
    if let Ok(profile) = from_json::<UsageProfile>(value.clone()) {
        let _ = recommend::estimate_cost(k, &prices, &profile);
    }
    if let Ok(request) = from_json::<shard::ShardRequest>(value.clone()) {
        let _ = recommend::shard_plan(k, &prices, &request);
    }
    if let Ok(ctx) = from_json::<ProjectContext>(value.clone()) {
        let _ = recommend::recommend(k, &prices, &ctx);
    }
    if let Ok(input) = from_json::<config::AnalyzeInput>(value) {
        if let Some(content) = &input.content {
            let _ = config::analyze(&k.limits, &input, content);
        }
    }
});

//! Any text as a Wrangler configuration, in each format: the parsers, environment resolution
//! and lints never panic.
#![no_main]

use cf_scale::engine::config::{AnalyzeInput, analyze};
use cf_scale::engine::model::ConfigFormat;
use cf_scale::knowledge::knowledge;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let limits = &knowledge().expect("embedded knowledge loads").limits;
    for format in [None, Some(ConfigFormat::Toml), Some(ConfigFormat::Jsonc)] {
        let _ = analyze(
            limits,
            &AnalyzeInput {
                format,
                ..Default::default()
            },
            text,
        );
        let _ = analyze(
            limits,
            &AnalyzeInput {
                format,
                env: Some("production".into()),
                ..Default::default()
            },
            text,
        );
    }
});

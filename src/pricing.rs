//! Replacement price tables: the CLI's `--pricing <file>` and the server's `CF_SCALE_PRICING`.
//! Prices change and contracts differ; a table in the format of `skills/scale/data/pricing.toml`
//! replaces the built-in one, and every report names the table it used.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::engine::model::PriceTable;
use crate::engine::model::from_toml_str;
use crate::knowledge::{Knowledge, PricingFile};

/// A price table read from a file.
#[derive(Debug, Clone)]
pub struct PriceFile {
    /// The file, as given.
    pub path: String,
    /// Its rows.
    pub data: PricingFile,
}

impl PriceFile {
    /// Reads and checks a price table file (TOML, the format of `data/pricing.toml`).
    pub fn load(path: &Path) -> Result<Self, String> {
        let shown = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("price table {shown}: {e}"))?;
        let data: PricingFile =
            from_toml_str(&text).map_err(|e| format!("price table {shown}: {e}"))?;
        let problems = data.problems();
        if !problems.is_empty() {
            return Err(format!("price table {shown}: {}", problems.join("; ")));
        }
        Ok(Self { path: shown, data })
    }

    /// The table an estimate uses: this file's prices and billing rules, with the built-in rules
    /// for any rule the file leaves out.
    pub fn table<'a>(&'a self, k: &'a Knowledge) -> PriceTable<'a> {
        PriceTable {
            prices: &self.data.price,
            rules: &self.data.rule,
            base_rules: &k.billing_rules,
            source: &self.path,
        }
    }
}

/// A price table file that is read on first use and then kept (for a long-running server).
#[derive(Debug)]
pub struct LazyPriceFile {
    path: PathBuf,
    loaded: OnceLock<Result<PriceFile, String>>,
}

impl LazyPriceFile {
    /// A table to be read from `path` when first needed.
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            loaded: OnceLock::new(),
        }
    }

    /// The table, or why it cannot be used (the same answer every time).
    pub fn get(&self) -> Result<&PriceFile, &str> {
        let loaded = self.loaded.get_or_init(|| PriceFile::load(&self.path));
        loaded.as_ref().map_err(String::as_str)
    }
}

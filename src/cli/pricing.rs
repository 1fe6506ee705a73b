//! `cf-scale pricing diff`: what changed between two price tables (the built-in one and a file, or
//! two files), for people keeping a contract table current.

use std::io::Write;
use std::path::PathBuf;

use super::Error;
use crate::engine::price_diff::{self, PriceDiff};
use crate::knowledge::{self, PricingFile};
use crate::pricing::PriceFile;

/// Work with price tables.
#[derive(Debug, clap::Subcommand)]
pub enum PricingCommand {
    /// List the rows added, removed and changed between two price tables (old → new, with both
    /// sources and dates). With one file, the old table is the built-in one.
    ///
    /// A row is known by its id and `effective_from`, so a price that changes on a date shows as
    /// a new dated row beside the old one, cut short with `effective_until`.
    Diff(DiffArgs),
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old table (TOML, the format of skills/scale/data/pricing.toml), then the new one; with
    /// one file, the built-in table is the old one.
    #[arg(required = true, num_args = 1..=2, value_name = "TABLE")]
    tables: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = super::Format::Text)]
    format: super::Format,
}

pub(super) fn run(command: PricingCommand) -> Result<(), Error> {
    let PricingCommand::Diff(args) = command;
    let k = knowledge::knowledge()?;
    let builtin = || PricingFile {
        price: k.pricing.clone(),
        rule: k.billing_rules.clone(),
    };
    let (old_name, old, new_name, new) = match args.tables.as_slice() {
        [new] => {
            let f = PriceFile::load(new)?;
            ("built-in".to_owned(), builtin(), f.path, f.data)
        }
        [old, new] => {
            let (o, n) = (PriceFile::load(old)?, PriceFile::load(new)?);
            (o.path, o.data, n.path, n.data)
        }
        _ => return Err("give one table (compared with the built-in one) or two".into()),
    };
    let d = price_diff::diff(&old_name, &old, &new_name, &new);
    let text = match args.format {
        super::Format::Json => serde_json::to_string_pretty(&d)? + "\n",
        super::Format::Text => text(&d),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

fn text(d: &PriceDiff) -> String {
    use std::fmt::Write;
    let mut s = format!("{}\n", d.summary);
    for r in &d.added {
        let _ = writeln!(
            s,
            "+ {} ({}): {}, as of {}",
            r.id, r.in_force, r.source, r.as_of
        );
    }
    for r in &d.removed {
        let _ = writeln!(
            s,
            "- {} ({}): {}, as of {}",
            r.id, r.in_force, r.source, r.as_of
        );
    }
    for c in &d.changed {
        let _ = writeln!(
            s,
            "~ {} ({} → {})",
            c.new.id, c.old.in_force, c.new.in_force
        );
        for f in &c.fields {
            let _ = writeln!(s, "    {}: {} → {}", f.field, f.old, f.new);
        }
        if c.old.source != c.new.source || c.old.as_of != c.new.as_of {
            let _ = writeln!(
                s,
                "    source: {} ({}) → {} ({})",
                c.old.source, c.old.as_of, c.new.source, c.new.as_of
            );
        }
    }
    s
}

//! `cf-scale resources` and `cf-scale read`: what the server serves, and one resource.

use std::io::Write;

use super::{Error, Format};
use crate::resources;

pub(super) fn list(format: Format) -> Result<(), Error> {
    let list = resources::list()?;
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?,
        Format::Text => {
            let width = list.iter().map(|e| e.uri.len()).max().unwrap_or(0);
            for e in &list {
                writeln!(out, "{:<width$}  {:>7}  {}", e.uri, e.size, e.title)?;
            }
            writeln!(
                out,
                "\ntemplate: {}  (ids: {})",
                resources::PATTERN_TEMPLATE,
                resources::complete_pattern_id("")?.join(", ")
            )?;
        }
    }
    Ok(())
}

pub(super) fn read(uri: &str) -> Result<(), Error> {
    let contents = resources::read(uri)?;
    let mut out = std::io::stdout().lock();
    out.write_all(contents.text.as_bytes())?;
    if !contents.text.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    Ok(())
}

//! The one place that reads the clock: front ends pass today's date and billing month to the
//! engines, which read none.

/// Today's UTC date, `YYYY-MM-DD`.
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = crate::engine::shard::civil_from_days((secs / 86_400) as i64);
    format!("{y}-{m:02}-{d:02}")
}

/// The current UTC billing month, `YYYY-MM`.
pub fn month_utc() -> String {
    today_utc()[..7].to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_have_their_shape() {
        let today = super::today_utc();
        assert!(crate::knowledge::is_iso_date(&today), "{today}");
        assert_eq!(super::month_utc(), &today[..7]);
    }
}

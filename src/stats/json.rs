//! The JSON export: one object, the [`Stats`] value as serde writes it. Its layout is the
//! stable schema documented in `docs/stats.md` (`schema_version` changes only when a field
//! changes meaning or goes away; new fields may appear).

use super::compute::Stats;
use crate::error::{Error, Result};

/// The statistics as pretty-printed JSON, with a final newline.
pub fn render(stats: &Stats) -> Result<String> {
    let mut text = crate::text::to_json_pretty(stats)
        .map_err(|e| Error::failed(format!("cannot write the statistics as JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::compute::sample::sample_stats;

    #[test]
    fn the_json_export_names_every_documented_section_and_writes_dates_as_text() {
        let value: serde_json::Value =
            serde_json::from_str(&render(&sample_stats()).unwrap()).unwrap();
        for key in [
            "schema_version",
            "scope",
            "today",
            "streak",
            "period_totals",
            "daily",
            "retention",
            "forecast",
            "heatmap",
            "cards",
            "intervals",
            "ease",
            "buttons",
            "hours",
            "hardest",
        ] {
            assert!(value.get(key).is_some(), "missing {key}");
        }
        assert_eq!(value["schema_version"], 1);
        assert_eq!(value["scope"]["today"], "2024-10-04");
        assert_eq!(value["daily"][0]["date"], "2024-10-02");
        // Tally fields are flattened into the row.
        assert!(value["daily"][0]["answers"].is_u64());
        assert_eq!(value["retention"]["monthly"][0]["label"], "2024-10");
        assert_eq!(value["hours"].as_array().map(Vec::len), Some(24));
        assert_eq!(value["forecast"]["days"].as_array().map(Vec::len), Some(30));
    }
}

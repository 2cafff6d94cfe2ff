//! The terminal page against the sample statistics: widths, sections, charts and shades.

use super::*;
use crate::stats::compute::sample::sample_stats;
use unicode_width::UnicodeWidthStr;

#[test]
fn the_page_fits_in_80_columns_and_has_every_section() {
    let text = render(&sample_stats(), &Style::plain());
    for line in text.lines() {
        assert!(line.width() <= 80, "too wide ({}): {line}", line.width());
    }
    for heading in [
        "Today",
        "True retention",
        "Cards",
        "Due forecast",
        "Answers per day",
        "Intervals",
        "Ease",
        "Retrievability",
        "Answer buttons",
        "Answers by hour",
        "Most lapses",
        "Lowest ease",
        "Leeches",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(heading)),
            "no {heading} in\n{text}"
        );
    }
}

#[test]
fn plain_output_has_no_escape_codes_and_card_text_is_sanitised() {
    let text = render(&sample_stats(), &Style::plain());
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("\\u{1b}"), "{text}");
    let coloured = render(
        &sample_stats(),
        &Style {
            colour: true,
            width: 80,
        },
    );
    assert!(crate::output::shown(&coloured).contains("\u{1b}[1m"));
}

#[test]
fn figures_appear_as_computed() {
    let stats = sample_stats();
    let text = render(&stats, &Style::plain());
    // Five answers today, one Again of them on a mature card and one while learning.
    assert!(
        text.contains("5 answers on 5 cards in 20s: 1 new, 1 learning, 3 review."),
        "{text}"
    );
    assert!(text.contains("Again: 2; correct 60.0% of 5."), "{text}");
    assert!(
        text.contains("Streak: 3 days (longest 3 days); 4 study days in all."),
        "{text}"
    );
}

#[test]
fn bars_scale_to_the_largest_value_in_eighths() {
    let lines = vertical_bars(&[8, 4, 1, 0], 1, 2);
    assert_eq!(lines, vec!["█ ▄ ▁".to_string()]);
    let lines = vertical_bars(&[16, 4], 2, 1);
    assert_eq!(lines, vec!["█".to_string(), "█▄".to_string()]);
    assert_eq!(horizontal_bar(10, 10, 3), "███");
    assert_eq!(horizontal_bar(5, 10, 3), "█▌");
    assert_eq!(horizontal_bar(0, 10, 3), "");
}

#[test]
fn heatmap_shades_follow_the_quartiles_of_busy_days() {
    let counts = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    let t = shade_thresholds(&counts);
    assert_eq!(t, [2, 4, 6]);
    let levels: Vec<usize> = counts.iter().map(|&c| shade_level(c, &t)).collect();
    assert_eq!(levels, vec![0, 1, 1, 2, 2, 3, 3, 4, 4]);
}

#[test]
fn heatmap_shades_never_share_counts_and_the_legend_names_only_those_used() {
    let t = shade_thresholds(&[0, 1, 1, 1]);
    assert!(t[0] < t[1] && t[1] < t[2], "{t:?}");
    assert_eq!(shade_legend(&[0, 1, 1, 1], &t), vec![(1, "1".to_string())]);
    let counts = [2, 2, 3, 9];
    let t = shade_thresholds(&counts);
    assert_eq!(t, [2, 3, 4]);
    assert_eq!(
        shade_legend(&counts, &t),
        vec![
            (1, "2".into()),
            (2, "3".into()),
            (3, "4".into()),
            (4, "5 or more".into())
        ]
    );
    assert_eq!(shade_legend(&[0, 0], &shade_thresholds(&[0, 0])), vec![]);
    let words = |legend: &[(usize, String)]| shade_legend_words(legend, |l| l.to_string());
    assert_eq!(words(&[(1, "1".into())]), "0 none, 1 1 answer a day");
    assert_eq!(words(&[(1, "1-3".into())]), "0 none, 1 1-3 answers a day");
    assert_eq!(
        words(&[(1, "1".into()), (2, "2-4".into()), (3, "5 or more".into())]),
        "0 none, 1 1, 2 2-4 and 3 5 or more answers a day"
    );
}

#[test]
fn new_and_tiny_collections_read_in_words() {
    use crate::stats::compute::sample::{stats_from, tiny_stats};
    let page = render(&stats_from(&[], &[], 80), &Style::plain());
    assert!(page.contains("no answers on any of these days"), "{page}");
    assert!(page.contains("Nothing is due in the next 30 days."));
    assert!(!page.contains("up to"));
    // Without FSRS there is no retrievability section.
    assert!(!page.contains("Retrievability"), "{page}");
    let page = render(&tiny_stats(), &Style::plain());
    assert!(page.contains("· none, ░ 1 answer a day"), "{page}");
    assert!(page.contains("(mature: no mature cards yet)"), "{page}");
    // The forecast's axis: 1 at the top, 0 at the foot.
    assert!(page.contains("  1 │"), "{page}");
    assert!(page.contains("  0 └"), "{page}");
}

#[test]
fn a_heatmap_legend_of_large_counts_wraps_within_80_columns() {
    let counts: Vec<u64> = (0..365).map(|i| 700 + i * 7).collect();
    let legend = shade_legend(&counts, &shade_thresholds(&counts));
    let words = shade_legend_words(&legend, |l| ['·', '░', '▒', '▓', '█'][l].to_string());
    assert!(words.chars().count() > 74, "{words}");
    let lines = wrap_list(&words, 74);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.iter().all(|l| l.chars().count() <= 74), "{lines:?}");
    assert_eq!(lines.join(" "), words);
}

#[test]
fn counts_get_thousands_separators() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1_000), "1,000");
    assert_eq!(thousands(1_234_567), "1,234,567");
}

//! The drawing pieces of the terminal page: vertical bars in eighth blocks, horizontal bars,
//! and the heatmap's shades with their thresholds and legend.

use super::thousands;

pub(super) const EIGHTHS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
pub(super) const SHADES: [char; 4] = ['░', '▒', '▓', '█'];

/// Vertical bars, one column of `width` characters per value, `rows` lines tall, with
/// eighth blocks on top. Returns the lines, top first.
pub fn vertical_bars(values: &[u64], rows: usize, width: usize) -> Vec<String> {
    let max = values.iter().copied().max().unwrap_or(0);
    let steps = (rows * 8) as f64;
    let heights: Vec<usize> = values
        .iter()
        .map(|&v| {
            if v == 0 || max == 0 {
                0
            } else {
                // At least one eighth, so a small day is still visible.
                ((v as f64 / max as f64 * steps).round() as usize).max(1)
            }
        })
        .collect();
    (0..rows)
        .rev()
        .map(|row| {
            let mut line = String::new();
            for &h in &heights {
                let filled = h.saturating_sub(row * 8).min(8);
                line.push(EIGHTHS[filled]);
                line.push_str(&" ".repeat(width.saturating_sub(1)));
            }
            line.trim_end().to_string()
        })
        .collect()
}

/// A horizontal bar `cells` characters long at most, with an eighth-block tip.
pub fn horizontal_bar(value: u64, max: u64, cells: usize) -> String {
    if value == 0 || max == 0 {
        return String::new();
    }
    let eighths = ((value as f64 / max as f64 * (cells * 8) as f64).round() as usize).max(1);
    let mut bar = "█".repeat(eighths / 8);
    if let Some(tip) = (eighths % 8).checked_sub(1) {
        bar.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][tip]);
    }
    bar
}

/// Shade thresholds: the quartiles of the non-zero counts, made strictly increasing so that
/// no two shades stand for the same counts (a shade whose range starts above the busiest day
/// is simply unused; [`shade_legend`] leaves it out).
pub fn shade_thresholds(counts: &[u64]) -> [u64; 3] {
    let mut busy: Vec<u64> = counts.iter().copied().filter(|&c| c > 0).collect();
    if busy.is_empty() {
        return [1, 2, 3];
    }
    busy.sort_unstable();
    let at = |q: usize| busy[(busy.len() - 1) * q / 4];
    let first = at(1);
    let second = at(2).max(first + 1);
    [first, second, at(3).max(second + 1)]
}

/// The shades (1 to 4) that the counts use, each with the counts it stands for in words
/// ("1", "2-3", "8 or more"), lightest first; empty when no day has an answer.
pub fn shade_legend(counts: &[u64], thresholds: &[u64; 3]) -> Vec<(usize, String)> {
    let busiest = counts.iter().copied().max().unwrap_or(0);
    // The lightest shade is said from the quietest active day, not from 1.
    let mut low = counts.iter().copied().filter(|&c| c > 0).min().unwrap_or(1);
    let mut legend = vec![];
    for (level, high) in (1..).zip(thresholds.iter().copied().chain([u64::MAX])) {
        if low > busiest {
            break;
        }
        if low > high {
            continue;
        }
        let text = if high == u64::MAX {
            format!("{} or more", thousands(low))
        } else if low == high.min(busiest) {
            thousands(low)
        } else {
            format!("{}-{}", thousands(low), thousands(high.min(busiest)))
        };
        legend.push((level, text));
        low = high.saturating_add(1);
    }
    legend
}

/// The legend in words: the mark of no answers (`shade(0)`), then each shade in use with its
/// counts ("· none, ░ 1, ▒ 2-3 and █ 4 or more answers a day"; one shade alone reads "· none,
/// ░ 1 answer a day"), or that no day has an answer.
pub fn shade_legend_words(legend: &[(usize, String)], shade: impl Fn(usize) -> String) -> String {
    let parts: Vec<String> = legend
        .iter()
        .map(|(level, text)| format!("{} {text}", shade(*level)))
        .collect();
    let none = format!("{} none", shade(0));
    match parts.as_slice() {
        [] => "no answers on any of these days".to_string(),
        [one] if one.ends_with(" 1") => format!("{none}, {one} answer a day"),
        [one] => format!("{none}, {one} answers a day"),
        [init @ .., last] => format!("{none}, {} and {last} answers a day", init.join(", ")),
    }
}

/// 0 for no answers, else 1 to 4.
pub fn shade_level(count: u64, thresholds: &[u64; 3]) -> usize {
    if count == 0 {
        0
    } else if count <= thresholds[0] {
        1
    } else if count <= thresholds[1] {
        2
    } else if count <= thresholds[2] {
        3
    } else {
        4
    }
}

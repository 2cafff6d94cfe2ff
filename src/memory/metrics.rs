//! How well predicted recall matches what happened, as srs-benchmark measures it.
//!
//! - Log loss: `-(1/W) * sum w * (y ln p + (1 - y) ln(1 - p))`, with `p` clamped to
//!   [`P_MIN`]..`1 - P_MIN` so a model that is sure and wrong costs a bounded amount.
//! - RMSE(bins): answers are put in bins by (elapsed days, review number, lapses), each
//!   rounded down on a logarithmic scale ([`bin_of`]); per bin the mean prediction and the
//!   mean outcome are compared; the squared differences are averaged with each bin weighted
//!   by its answers (by the sum of their weights when weights are given), and the root taken.
//! - AUC: the chance that a remembered answer got a higher prediction than a forgotten one
//!   (ties count half), from ranks; None when every answer had the same outcome.
//!
//! `w` is 1 for every answer unless weights are given (the `fsrs` crate's own `evaluate`
//! weights recent answers more; our tests pass the same weights to compare with it).

use std::collections::HashMap;

use fsrs::FSRSReview;

/// The smallest prediction log loss reads (and 1 - it the largest).
pub const P_MIN: f64 = 1e-4;

/// A bin of RMSE(bins): elapsed days, review number and lapses, each on its log scale.
pub type Bin = (u32, u32, u32);

/// The bin of an item: `reviews` is the card's history up to and including the scored
/// answer (same-day answers included, with `delta_t` 0).
///
/// - elapsed days `t` (of the scored answer): `round(2.48 * 3.62^floor(log_3.62 t), 2)`;
/// - review number `i` = answers on a later day than the one before, plus 1:
///   `round(1.99 * 1.89^floor(log_1.89 i))`;
/// - lapses `l` (Again on a later day, before the scored answer): 0, else
///   `round(1.65 * 1.73^floor(log_1.73 l))`.
///
/// The days' bin is kept in hundredths so the key is whole numbers.
pub fn bin_of(reviews: &[FSRSReview]) -> Bin {
    let Some((current, history)) = reviews.split_last() else {
        return (0, 0, 0);
    };
    let t = f64::from(current.delta_t);
    let t_bin = (2.48 * 3.62f64.powf(t.log(3.62).floor()) * 100.0).round() as u32;
    let long_term = reviews.iter().filter(|r| r.delta_t > 0).count() as f64;
    let i = long_term + 1.0;
    let i_bin = (1.99 * 1.89f64.powf(i.log(1.89).floor())).round() as u32;
    let lapses = history
        .iter()
        .filter(|r| r.rating == 1 && r.delta_t > 0)
        .count();
    let l_bin = if lapses == 0 {
        0
    } else {
        (1.65 * 1.73f64.powf((lapses as f64).log(1.73).floor())).round() as u32
    };
    (t_bin, i_bin, l_bin)
}

fn weight(weights: Option<&[f64]>, index: usize) -> f64 {
    weights.map_or(1.0, |w| w[index])
}

/// Log loss of predictions `p` against outcomes `y` (1 remembered, 0 forgotten). NaN when
/// there is nothing to score.
pub fn log_loss(p: &[f64], y: &[bool], weights: Option<&[f64]>) -> f64 {
    let mut loss = 0.0;
    let mut total = 0.0;
    for (i, (&p, &y)) in p.iter().zip(y).enumerate() {
        let p = p.clamp(P_MIN, 1.0 - P_MIN);
        let w = weight(weights, i);
        loss += w * if y { p.ln() } else { (1.0 - p).ln() };
        total += w;
    }
    -loss / total
}

/// RMSE(bins) of predictions `p` against outcomes `y`, each answer in `bins[i]`.
pub fn rmse_bins(p: &[f64], y: &[bool], bins: &[Bin], weights: Option<&[f64]>) -> f64 {
    #[derive(Default)]
    struct Sums {
        predicted: f64,
        actual: f64,
        count: f64,
        weight: f64,
    }
    let mut table: HashMap<Bin, Sums> = HashMap::new();
    for (i, ((&p, &y), bin)) in p.iter().zip(y).zip(bins).enumerate() {
        let sums = table.entry(*bin).or_default();
        sums.predicted += p;
        sums.actual += f64::from(u8::from(y));
        sums.count += 1.0;
        sums.weight += weight(weights, i);
    }
    // Summed in key order, so the result does not depend on the map's iteration order.
    let mut keys: Vec<&Bin> = table.keys().collect();
    keys.sort();
    let (mut squares, mut total) = (0.0, 0.0);
    for key in keys {
        let s = &table[key];
        let diff = s.predicted / s.count - s.actual / s.count;
        squares += diff * diff * s.weight;
        total += s.weight;
    }
    (squares / total).sqrt()
}

/// Area under the ROC curve (Mann-Whitney, ties half); None with only one outcome.
pub fn auc(p: &[f64], y: &[bool]) -> Option<f64> {
    let positives = y.iter().filter(|&&y| y).count();
    let negatives = y.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    // Ranks 1-based, ties given their average rank.
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && p[order[end]] == p[order[start]] {
            end += 1;
        }
        let average = (start + 1 + end) as f64 / 2.0;
        rank_sum += average * order[start..end].iter().filter(|&&i| y[i]).count() as f64;
        start = end;
    }
    let pos = positives as f64;
    Some((rank_sum - pos * (pos + 1.0) / 2.0) / (pos * negatives as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn log_loss_by_hand() {
        // -(ln 0.9 + ln 0.5) / 2
        let value = log_loss(&[0.9, 0.5], &[true, false], None);
        assert!(close(
            value,
            (0.105_360_515_657_826_3 + std::f64::consts::LN_2) / 2.0
        ));
        // Weights: (1 * 0.1053605 + 3 * 0.6931472) / 4
        let weighted = log_loss(&[0.9, 0.5], &[true, false], Some(&[1.0, 3.0]));
        assert!(close(
            weighted,
            (0.105_360_515_657_826_3 + 3.0 * std::f64::consts::LN_2) / 4.0
        ));
        // A sure, wrong prediction costs -ln(P_MIN), not infinity.
        assert!(close(log_loss(&[1.0], &[false], None), -(P_MIN.ln())));
    }

    #[test]
    fn rmse_bins_by_hand() {
        // Bin A: predictions 0.9 and 0.7, both remembered: mean 0.8 against 1, two answers.
        // Bin B: 0.4, forgotten: 0.4 against 0, one answer.
        // sqrt((2 * 0.2^2 + 1 * 0.4^2) / 3) = sqrt(0.08)
        let a = (248, 2, 0);
        let b = (898, 2, 0);
        let value = rmse_bins(&[0.9, 0.7, 0.4], &[true, true, false], &[a, a, b], None);
        assert!(close(value, 0.08f64.sqrt()), "{value}");
    }

    #[test]
    fn auc_by_hand_with_a_tie() {
        // Pairs (remembered, forgotten): (0.9, 0.4) 1, (0.9, 0.6) 1, (0.6, 0.4) 1, (0.6, 0.6) 0.5.
        let value = auc(&[0.9, 0.4, 0.6, 0.6], &[true, false, true, false]);
        assert_eq!(value, Some(0.875));
        assert_eq!(auc(&[0.3, 0.8], &[true, true]), None);
        assert_eq!(auc(&[0.3, 0.8], &[false, true]), Some(1.0));
    }

    #[test]
    fn bins_follow_the_log_scales() {
        let r = |rating, delta_t| FSRSReview { rating, delta_t };
        // t = 1: 2.48 * 3.62^0 = 2.48; i = 1 long-term + 1 = 2: 1.99 * 1.89 = 3.76 -> 4.
        assert_eq!(bin_of(&[r(3, 0), r(3, 1)]), (248, 4, 0));
        // t = 4: floor(log_3.62 4) = 1 -> 2.48 * 3.62 = 8.9776 -> 898 hundredths;
        // i = 3 long-term + 1 = 4: floor(log_1.89 4) = 2 -> 1.99 * 3.5721 = 7.1 -> 7;
        // one lapse (Again on day 2, after a day): 1.65 -> 2.
        assert_eq!(
            bin_of(&[r(3, 0), r(1, 0), r(3, 2), r(1, 2), r(3, 0), r(3, 4)]),
            (898, 7, 2)
        );
    }
}

//! "Your memory" for the HTML report: the forgetting curves of the parameters in force, how
//! well their predictions match what the learner recalled (calibration), and a shorter
//! simulation of the coming days (sm2, anki and fsrs at the learner's desired retention).

use super::evaluate::fsrs_predictions;
use super::items::histories;
use super::simulate::{SimulateConfig, Simulation, simulate};
use super::{Answer, Result};

/// Days the report's simulation plays (the full year is `jargon simulate`'s).
pub const REPORT_DAYS: usize = 180;

/// Calibration bins: predicted recall cut into tenths.
const BINS: usize = 10;

/// One tenth of predicted recall: the mean prediction in it, the share actually recalled, and
/// how many answers fell in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalibrationBin {
    pub predicted: f64,
    pub actual: f64,
    pub answers: usize,
}

/// What the report shows of the learner's memory.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryView {
    /// The parameters are the learner's own (fitted), not FSRS's defaults.
    pub fitted: bool,
    /// Retrievability by day (0 to 60) after a first answer of Again, Hard, Good and Easy.
    pub curves: Vec<(&'static str, Vec<f64>)>,
    /// Non-empty bins only, in order of prediction.
    pub calibration: Vec<CalibrationBin>,
    /// Answers scored for the calibration.
    pub scored: usize,
    pub simulation: Simulation,
}

/// FSRS-6's retrievability `t` days after an answer that left stability `s`.
fn retrievability(s: f64, t: f64, decay: f64) -> f64 {
    let factor = 0.9f64.powf(-1.0 / decay) - 1.0;
    (1.0 + factor * t / s).powf(-decay)
}

/// The view of `answers` under `parameters` (21 numbers), with a simulation configured as
/// `config` (its days are capped at [`REPORT_DAYS`]).
pub fn view(
    answers: &[Answer],
    parameters: &[f32],
    fitted: bool,
    config: &SimulateConfig,
) -> Result<MemoryView> {
    let decay = f64::from(parameters.get(20).copied().unwrap_or(0.1542));
    let curves = ["Again", "Hard", "Good", "Easy"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let s = f64::from(parameters.get(i).copied().unwrap_or(1.0)).max(0.001);
            (
                *name,
                (0..=60)
                    .map(|t| retrievability(s, f64::from(t), decay))
                    .collect(),
            )
        })
        .collect();

    let histories = histories(answers)?;
    let predictions = fsrs_predictions(&histories, parameters)?;
    let mut sums = [(0.0f64, 0usize, 0usize); BINS];
    let mut scored = 0;
    for (history, p) in histories.iter().zip(&predictions) {
        for index in history.item_indices() {
            let predicted = p[index].clamp(0.0, 1.0);
            // 0..=9 after the clamp and min: the cast cannot overflow.
            let bin = ((predicted * BINS as f64).floor() as usize).min(BINS - 1);
            sums[bin].0 += predicted;
            sums[bin].1 += usize::from(history.answers[index].rating > 1);
            sums[bin].2 += 1;
            scored += 1;
        }
    }
    let calibration = sums
        .iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|&(p, recalled, n)| CalibrationBin {
            predicted: p / n as f64,
            actual: recalled as f64 / n as f64,
            answers: n,
        })
        .collect();

    let config = SimulateConfig {
        days: config.days.min(REPORT_DAYS),
        ..config.clone()
    };
    let simulation = simulate(answers, parameters, &config)?;
    Ok(MemoryView {
        fitted,
        curves,
        calibration,
        scored,
        simulation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::Settings;

    #[test]
    fn a_curve_is_90_percent_at_its_stability_and_calibration_bins_hold_every_scored_answer() {
        assert!((retrievability(7.0, 7.0, 0.1542) - 0.9).abs() < 1e-9);
        assert!((retrievability(7.0, 0.0, 0.5) - 1.0).abs() < 1e-12);
        let answers = super::super::synthetic::answers(60, 8, 7);
        let parameters = fsrs::DEFAULT_PARAMETERS;
        let config = SimulateConfig {
            days: 400,
            new_per_day: 0,
            new_cards: 0,
            retentions: vec![0.9],
            today: answers.iter().map(|a| a.day).max().unwrap_or(0) + 1,
            settings: Settings::default(),
            seed: 1,
        };
        let view = view(&answers, &parameters, false, &config).unwrap();
        assert_eq!(view.curves.len(), 4);
        let good = &view.curves[2].1;
        assert_eq!(good.len(), 61);
        assert!(
            good.windows(2).all(|w| w[1] < w[0]),
            "recall falls day by day"
        );
        let binned: usize = view.calibration.iter().map(|b| b.answers).sum();
        assert_eq!(binned, view.scored);
        assert!(view.scored > 0);
        for bin in &view.calibration {
            assert!((0.0..=1.0).contains(&bin.predicted) && (0.0..=1.0).contains(&bin.actual));
        }
        assert_eq!(
            view.simulation.days, REPORT_DAYS,
            "the report plays half a year"
        );
    }
}

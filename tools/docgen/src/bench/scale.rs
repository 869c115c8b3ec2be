//! The chart's two logarithmic axes: where a value lands in pixels, and which ticks to draw.
//!
//! Copy sizes are powers of two, so the x axis has a tick per octave and labels a few of them;
//! instructions per byte span a couple of decades, so the y axis is labelled at 1, 2 and 5
//! times each power of ten (or at the powers alone when the span is wide). Tick labels are
//! built from integers, never printed from floating point, so they read the same everywhere.

/// A logarithmic map from a positive value range onto a pixel range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogScale {
    /// The natural logarithm of the smallest value shown.
    low_logarithm: f64,
    /// The natural logarithm of the largest value shown.
    high_logarithm: f64,
    /// Where the smallest value lands.
    low_pixel: f64,
    /// Where the largest value lands.
    high_pixel: f64,
}

impl LogScale {
    /// Maps `low..=high` (both positive, `low < high`) onto `low_pixel..=high_pixel`; the
    /// pixel range may run backwards, as a y axis does.
    pub fn new(low: f64, high: f64, low_pixel: f64, high_pixel: f64) -> Self {
        Self { low_logarithm: low.ln(), high_logarithm: high.ln(), low_pixel, high_pixel }
    }

    /// Where `value` (positive) lands.
    pub fn position(&self, value: f64) -> f64 {
        let fraction =
            (value.ln() - self.low_logarithm) / (self.high_logarithm - self.low_logarithm);
        self.low_pixel + fraction * (self.high_pixel - self.low_pixel)
    }
}

/// A tick mark on an axis, with its label if it has one.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    /// The value it marks.
    pub value: f64,
    /// Its label; unlabelled ticks are minor.
    pub label: Option<String>,
}

/// A tick per power of two from `low` to `high` (powers of two themselves), labelled where the
/// power is in `labelled`.
pub fn octave_ticks(low: u32, high: u32, labelled: &[u32]) -> Vec<Tick> {
    let mut ticks = Vec::new();
    let mut value = low.max(1);
    while value <= high {
        let label = labelled.contains(&value).then(|| value.to_string());
        ticks.push(Tick { value: f64::from(value), label });
        match value.checked_mul(2) {
            Some(next) => value = next,
            None => break,
        }
    }
    ticks
}

/// The smallest range of whole decades `(low_exponent, high_exponent)`, at least one decade
/// wide, holding every value in `values` (positive); one decade around 1 when there are none.
pub fn decade_range(values: &[f64]) -> (i32, i32) {
    let smallest = values.iter().copied().fold(f64::INFINITY, f64::min);
    let largest = values.iter().copied().fold(0.0, f64::max);
    if !smallest.is_finite() || largest <= 0.0 {
        return (-1, 1);
    }
    // Exponents of counts per byte stay far inside i32; the casts only drop the fraction
    // floor() and ceil() already removed.
    let low = smallest.log10().floor() as i32;
    let high = (largest.log10().ceil() as i32).max(low + 1);
    (low, high)
}

/// The widest span, in decades, that still gets the 2 and 5 labels between the powers of ten.
const MOST_DECADES_WITH_STEPS: i32 = 3;

/// Ticks from `10^low_exponent` to `10^high_exponent`: every power of ten labelled, and
/// 2 and 5 times each power too (labelled when the span is narrow enough to read them).
pub fn decade_ticks(low_exponent: i32, high_exponent: i32) -> Vec<Tick> {
    let label_steps = high_exponent - low_exponent <= MOST_DECADES_WITH_STEPS;
    let mut ticks = Vec::new();
    for exponent in low_exponent..=high_exponent {
        for mantissa in [1_u32, 2, 5] {
            if exponent == high_exponent && mantissa > 1 {
                break;
            }
            let labelled = mantissa == 1 || label_steps;
            ticks.push(Tick {
                value: f64::from(mantissa) * 10_f64.powi(exponent),
                label: labelled.then(|| decimal_label(mantissa, exponent)),
            });
        }
    }
    ticks
}

/// `mantissa x 10^exponent` written out in decimal: `500`, `2`, `0.05`.
pub fn decimal_label(mantissa: u32, exponent: i32) -> String {
    let digits = mantissa.to_string();
    let zeros = exponent.unsigned_abs() as usize;
    if exponent >= 0 {
        format!("{digits}{}", "0".repeat(zeros))
    } else {
        format!("0.{}{digits}", "0".repeat(zeros - 1))
    }
}

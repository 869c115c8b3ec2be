//! Exact decimal text for ratios and products of instruction counts.
//!
//! The report must read the same on every machine, so quotients are computed in integers and
//! rounded half up, never through floating point.

/// `numerator / denominator` with two decimals, rounded half up; `None` when the
/// denominator is zero.
pub fn ratio(numerator: u64, denominator: u64) -> Option<String> {
    if denominator == 0 {
        return None;
    }
    let numerator = u128::from(numerator);
    let denominator = u128::from(denominator);
    let hundredths = (numerator * 200 + denominator) / (denominator * 2);
    Some(hundredths_text(hundredths))
}

/// A count of hundredths as `units.hh`.
pub fn hundredths_text(hundredths: u128) -> String {
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

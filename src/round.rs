//! How figures are rounded for people and for summary.json: one function per kind of figure, so
//! a dollar amount or a rate is rounded the same way in every file that writes one.
//!
//! A leaf: depends on nothing of the crate.

/// `x` to `decimals` places, half away from zero.
pub fn to_places(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

/// A cost in US dollars: to the millionth of a dollar (a request at SQS's prices is less than
/// a millionth, so fewer places would round small runs to nothing).
pub fn usd(x: f64) -> f64 {
    to_places(x, 6)
}

/// Dollars per million messages: to four places, as printed.
pub fn usd_per_million(x: f64) -> f64 {
    to_places(x, 4)
}

/// A rate per second, or seconds of a settle: to one decimal.
pub fn tenths(x: f64) -> f64 {
    to_places(x, 1)
}

/// Milliseconds shown beside microsecond-resolution figures: to three places (a microsecond).
pub fn thousandths(x: f64) -> f64 {
    to_places(x, 3)
}

/// A count over a span as a rate, to one decimal (0 for an empty span).
pub fn per_second(n: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        tenths(n as f64 / seconds)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_keeps_its_places() {
        assert_eq!(usd(0.002_416_4), 0.002_416);
        assert_eq!(usd_per_million(0.120_84), 0.1208);
        assert_eq!(tenths(1000.04), 1000.0);
        assert_eq!(thousandths(1.234_56), 1.235);
        // The scales are exact powers of ten, so this is the rule written as `(x * 1e6).round() / 1e6`.
        for x in [0.1, 1.0 / 3.0, 12_345.678_9, 1e-7] {
            assert_eq!(usd(x), (x * 1e6).round() / 1e6);
            assert_eq!(usd_per_million(x), (x * 1e4).round() / 1e4);
            assert_eq!(tenths(x), (x * 10.0).round() / 10.0);
        }
    }
}

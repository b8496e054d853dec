//! The search itself, pure: which rate to offer next given how the steps so far went. Rates
//! rise geometrically from `from` until a step fails (or `to` is reached), then bisect between
//! the highest passing and the lowest failing rate until they are within `precision`.

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bracket {
    from: f64,
    to: f64,
    factor: f64,
    precision: f64,
    /// The highest rate that passed, and the lowest that failed.
    pub passed: Option<f64>,
    pub failed: Option<f64>,
}

impl Bracket {
    pub(crate) fn new(from: f64, to: f64, factor: f64, precision: f64) -> Self {
        Bracket {
            from,
            to,
            factor,
            precision,
            passed: None,
            failed: None,
        }
    }

    pub(crate) fn record(&mut self, rate: f64, passed: bool) {
        if passed {
            self.passed = Some(self.passed.map_or(rate, |p| p.max(rate)));
        } else {
            self.failed = Some(self.failed.map_or(rate, |f| f.min(rate)));
        }
    }

    /// The next rate to try, or None when the search is done.
    pub(crate) fn next(&self) -> Option<f64> {
        match (self.passed, self.failed) {
            (None, None) => Some(self.from),
            // Even the first rate failed: look below it, down to a tenth.
            (None, Some(f)) => {
                let lower = f / self.factor;
                (lower >= self.from / 10.0).then_some(lower)
            }
            (Some(p), None) => {
                if p >= self.to {
                    None
                } else {
                    Some((p * self.factor).min(self.to))
                }
            }
            (Some(p), Some(f)) => {
                if (f - p) / p <= self.precision {
                    None
                } else {
                    Some((p + f) / 2.0)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the search against a known limit: a step passes when its rate is at most `limit`.
    fn find(limit: f64, from: f64) -> (Option<f64>, usize) {
        let mut b = Bracket::new(from, 100_000.0, 2.0, 0.05);
        let mut steps = 0;
        while let Some(rate) = b.next() {
            steps += 1;
            b.record(rate, rate <= limit);
            assert!(steps < 50, "the search ends");
        }
        (b.passed, steps)
    }

    #[test]
    fn finds_a_known_limit_within_precision() {
        for limit in [50.0, 300.0, 3000.0, 12_345.0] {
            let (found, steps) = find(limit, 100.0);
            let found = found.unwrap();
            assert!(found <= limit && found >= limit * 0.95, "{limit}: {found}");
            assert!(steps <= 15, "{limit}: {steps} steps");
        }
    }

    #[test]
    fn a_limit_below_the_first_rate_is_searched_downwards() {
        let (found, _) = find(30.0, 100.0);
        let found = found.unwrap();
        assert!((28.5..=30.0).contains(&found), "{found}");
    }

    #[test]
    fn stops_at_the_upper_bound() {
        let mut b = Bracket::new(100.0, 1000.0, 2.0, 0.05);
        while let Some(r) = b.next() {
            b.record(r, true);
        }
        assert_eq!(b.passed, Some(1000.0));
    }
}

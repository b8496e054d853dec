//! `--fail-if` rules: `PATH:+N%` (candidate more than N % above the baseline; a rise from 0 is
//! infinitely above), `PATH:-N%` (more than N % below), `PATH:>N` / `PATH:<N` (the candidate's
//! absolute value). A rule that does not parse is an error, never a silent pass.

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Limit {
    RisesMoreThan(f64),
    FallsMoreThan(f64),
    Above(f64),
    Below(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rule {
    pub text: String,
    pub path: String,
    pub limit: Limit,
}

impl Rule {
    pub(crate) fn parse(text: &str) -> Result<Rule, String> {
        let bad = |why: &str| {
            format!(
                "--fail-if {text:?}: {why} (expected PATH:+N%, PATH:-N%, PATH:>N or PATH:<N, e.g. latency_us.end_to_end.p99:+10%)"
            )
        };
        let (path, limit) = text.rsplit_once(':').ok_or_else(|| bad("no ':'"))?;
        let path = path.trim();
        if path.is_empty() {
            return Err(bad("the metric path is empty"));
        }
        let limit = limit.trim();
        let number = |s: &str| -> Result<f64, String> {
            let v: f64 = s
                .trim()
                .parse()
                .map_err(|_| bad(&format!("{s:?} is not a number")))?;
            if v.is_finite() && v >= 0.0 {
                Ok(v)
            } else {
                Err(bad("the limit must be a finite number ≥ 0"))
            }
        };
        let limit = if let Some(p) = limit.strip_prefix('+').and_then(|l| l.strip_suffix('%')) {
            Limit::RisesMoreThan(number(p)?)
        } else if let Some(p) = limit.strip_prefix('-').and_then(|l| l.strip_suffix('%')) {
            Limit::FallsMoreThan(number(p)?)
        } else if let Some(v) = limit.strip_prefix('>') {
            Limit::Above(number(v)?)
        } else if let Some(v) = limit.strip_prefix('<') {
            Limit::Below(number(v)?)
        } else {
            return Err(bad(&format!("{limit:?} is not a limit")));
        };
        Ok(Rule {
            text: text.to_string(),
            path: path.to_string(),
            limit,
        })
    }

    /// Whether the candidate breaks the rule, and by how much in words.
    pub(crate) fn check(&self, baseline: f64, candidate: f64) -> (bool, String) {
        match self.limit {
            Limit::RisesMoreThan(pct) => {
                let rise = relative(baseline, candidate);
                (rise > pct, format!("{} (limit +{pct}%)", percent(rise)))
            }
            Limit::FallsMoreThan(pct) => {
                let change = relative(baseline, candidate);
                (
                    -change > pct,
                    format!("{} (limit -{pct}%)", percent(change)),
                )
            }
            Limit::Above(v) => (candidate > v, format!("{candidate} (limit > {v})")),
            Limit::Below(v) => (candidate < v, format!("{candidate} (limit < {v})")),
        }
    }

    pub(crate) fn is_relative(&self) -> bool {
        matches!(
            self.limit,
            Limit::RisesMoreThan(_) | Limit::FallsMoreThan(_)
        )
    }
}

/// Change from baseline to candidate in %; a change from 0 is infinite, 0 → 0 is none.
pub(crate) fn relative(baseline: f64, candidate: f64) -> f64 {
    if baseline == 0.0 {
        if candidate == 0.0 {
            0.0
        } else {
            f64::INFINITY.copysign(candidate)
        }
    } else {
        (candidate - baseline) / baseline.abs() * 100.0
    }
}

pub(crate) fn percent(p: f64) -> String {
    if p.is_infinite() {
        if p > 0.0 {
            "+∞%".into()
        } else {
            "-∞%".into()
        }
    } else {
        format!("{p:+.1}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(
            Rule::parse("latency_us.end_to_end.p99:+10%").unwrap().limit,
            Limit::RisesMoreThan(10.0)
        );
        assert_eq!(
            Rule::parse("throughput.received_per_sec:-5%")
                .unwrap()
                .limit,
            Limit::FallsMoreThan(5.0)
        );
        assert_eq!(
            Rule::parse("messages.lost:>0").unwrap().limit,
            Limit::Above(0.0)
        );
        assert_eq!(Rule::parse("x:<2.5").unwrap().limit, Limit::Below(2.5));
    }

    #[test]
    fn malformed_rules_are_errors_that_name_them() {
        for bad in ["p99", ":+5%", "p99:+x%", "p99:10", "p99:+-5%", "p99:>inf"] {
            let e = Rule::parse(bad).unwrap_err();
            assert!(e.contains(&format!("{bad:?}")), "{e}");
        }
    }

    #[test]
    fn a_rise_from_zero_is_infinitely_above() {
        let r = Rule::parse("messages.duplicates:+1000%").unwrap();
        assert!(r.check(0.0, 1.0).0);
        assert!(!r.check(0.0, 0.0).0);
        assert!(!r.check(10.0, 100.0).0 && r.check(10.0, 111.0).0);
        let f = Rule::parse("throughput.received_per_sec:-10%").unwrap();
        assert!(f.check(100.0, 89.0).0 && !f.check(100.0, 91.0).0);
    }
}

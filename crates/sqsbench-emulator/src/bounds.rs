//! Whether a number is within a `numeric` operator's bounds, each inclusive or not: shared by SNS
//! filter policies (fixed-point numbers) and EventBridge event patterns (floats), whose range
//! operators agree. Pure, a leaf.

/// `n` above `lower` and below `upper` (an absent bound is no bound).
pub(crate) fn within<T: PartialOrd + Copy>(
    lower: Option<(T, bool)>,
    upper: Option<(T, bool)>,
    n: T,
) -> bool {
    let above = lower.is_none_or(|(low, inclusive)| if inclusive { n >= low } else { n > low });
    let below = upper.is_none_or(|(high, inclusive)| if inclusive { n <= high } else { n < high });
    above && below
}

#[cfg(test)]
mod tests {
    use super::within;

    #[test]
    fn each_bound_is_inclusive_or_not() {
        assert!(within(Some((1.0, true)), Some((2.0, false)), 1.0));
        assert!(!within(Some((1.0, false)), None, 1.0));
        assert!(!within(None, Some((2.0, false)), 2.0));
        assert!(within(None, Some((2, true)), 2));
        assert!(within::<i64>(None, None, i64::MIN));
    }
}

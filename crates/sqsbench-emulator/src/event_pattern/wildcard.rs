//! `wildcard` values: `*` stands for any run of characters, `\*` for a star and `\\` for a
//! backslash. A leaf of `event_pattern`: parsing checks the text, matching walks it.

/// One piece of a wildcard value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    Text(String),
    Star,
}

/// The pieces of `text`, or AWS's reason for refusing it.
pub(super) fn pieces(text: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut chars = text.chars().enumerate().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '*' => {
                if matches!(out.last(), Some(Piece::Star)) && literal.is_empty() {
                    return Err(format!("Consecutive wildcard characters at pos {at}"));
                }
                if !literal.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut literal)));
                }
                out.push(Piece::Star);
            }
            '\\' => match chars.next() {
                Some((_, escaped @ ('*' | '\\'))) => literal.push(escaped),
                _ => return Err(format!("Invalid escape character at pos {at}")),
            },
            other => literal.push(other),
        }
    }
    if !literal.is_empty() {
        out.push(Piece::Text(literal));
    }
    Ok(out)
}

/// Whether `value` is matched by the pieces: greedy with backtracking to the last star, linear
/// in practice and never exponential.
pub(super) fn matches(pieces: &[Piece], value: &str) -> bool {
    let mut rest = value;
    let mut i = 0;
    // The text after the last star seen, and where to retry it one character later.
    let mut retry: Option<(usize, &str)> = None;
    loop {
        match pieces.get(i) {
            None if rest.is_empty() => return true,
            Some(Piece::Star) => {
                i += 1;
                if i == pieces.len() {
                    return true;
                }
                retry = Some((i, rest));
                continue;
            }
            Some(Piece::Text(t)) if rest.starts_with(t.as_str()) => {
                rest = &rest[t.len()..];
                i += 1;
                continue;
            }
            _ => {}
        }
        // A mismatch: move the last star one character further, or fail.
        let Some((at, from)) = retry else {
            return false;
        };
        let mut skipped = from.chars();
        if skipped.next().is_none() {
            return false;
        }
        rest = skipped.as_str();
        retry = Some((at, rest));
        i = at;
    }
}

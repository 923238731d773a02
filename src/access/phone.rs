//! Vietnamese mobile numbers: one person, one canonical form, whatever way it was typed.

/// Normalises a Vietnamese mobile number to `+84` and nine digits. Accepts `0912345678`,
/// `84912345678`, `+84 912 345 678` and common separators; returns `None` for anything
/// that is not a mobile number (landlines, foreign numbers, wrong length).
pub fn normalize(input: &str) -> Option<String> {
    let mut digits = String::with_capacity(12);
    for c in input.trim().chars() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if digits.is_empty() => {}
            ' ' | '.' | '-' | '(' | ')' => {}
            _ => return None,
        }
    }
    let national = if let Some(rest) = digits.strip_prefix("84") {
        if rest.len() == 9 {
            rest
        } else {
            digits.strip_prefix('0')?
        }
    } else {
        digits.strip_prefix('0')?
    };
    // Mobile networks use the 3x, 5x, 7x, 8x and 9x ranges since the 2018 renumbering.
    let first = national.chars().next()?;
    (national.len() == 9 && matches!(first, '3' | '5' | '7' | '8' | '9'))
        .then(|| format!("+84{national}"))
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn three_spellings_are_one_number() {
        for raw in [
            "+84 912 345 678",
            "84912345678",
            "0912345678",
            "091.234.5678",
            "(+84) 912-345-678",
        ] {
            assert_eq!(normalize(raw).as_deref(), Some("+84912345678"), "{raw}");
        }
    }

    #[test]
    fn rejects_non_mobiles() {
        for raw in [
            "",
            "0241234567",
            "091234567",
            "09123456789",
            "+1 912 345 678",
            "0912x45678",
            "0112345678",
        ] {
            assert_eq!(normalize(raw), None, "{raw}");
        }
    }
}

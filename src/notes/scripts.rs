//! Unicode superscript and subscript characters, for `<sup>` and `<sub>`.

/// The superscript form of `c`, if Unicode has one.
pub(crate) fn superscript(c: char) -> Option<char> {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    const LOWER: &str = "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖ ʳˢᵗᵘᵛʷˣʸᶻ";
    match c {
        '0'..='9' => Some(DIGITS[c as usize - '0' as usize]),
        '+' => Some('⁺'),
        '-' | '−' => Some('⁻'),
        '=' => Some('⁼'),
        '(' => Some('⁽'),
        ')' => Some('⁾'),
        'a'..='z' => LOWER
            .chars()
            .nth(c as usize - 'a' as usize)
            .filter(|&s| s != ' '),
        _ => None,
    }
}

/// The subscript form of `c`, if Unicode has one.
pub(crate) fn subscript(c: char) -> Option<char> {
    const DIGITS: [char; 10] = ['₀', '₁', '₂', '₃', '₄', '₅', '₆', '₇', '₈', '₉'];
    const LOWER: &str = "ₐ   ₑ  ₕᵢⱼₖₗₘₙₒₚ ᵣₛₜᵤᵥ ₓ  ";
    match c {
        '0'..='9' => Some(DIGITS[c as usize - '0' as usize]),
        '+' => Some('₊'),
        '-' | '−' => Some('₋'),
        '=' => Some('₌'),
        '(' => Some('₍'),
        ')' => Some('₎'),
        'a'..='z' => LOWER
            .chars()
            .nth(c as usize - 'a' as usize)
            .filter(|&s| s != ' '),
        _ => None,
    }
}

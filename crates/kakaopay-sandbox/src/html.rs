//! Escaping for everything that goes into the buyer pages. Merchant-supplied strings
//! (item names, URLs) are untrusted: they must render as text, never as markup or script.

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn escape(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A JavaScript string literal that is safe inside an inline `<script>`: JSON escaping plus
/// `<`, `>` and `&` as unicode escapes so `</script>` or `<!--` can never end the block.
pub fn js_string(input: &str) -> String {
    let json = serde_json::to_string(input).unwrap_or_else(|_| String::from("\"\""));
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            // Line/paragraph separators are legal in JSON but ended string literals in old JS.
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            other => out.push(other),
        }
    }
    out
}

/// `14000` → `14,000원`.
pub fn format_won(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 4);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{grouped}원")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<img src=x onerror="alert('1')">&"#),
            "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;"
        );
    }

    #[test]
    fn js_string_cannot_close_script() {
        let s = js_string("</script><script>alert(1)</script>");
        assert!(!s.contains('<'));
        assert!(s.starts_with('"') && s.ends_with('"'));
    }

    #[test]
    fn formats_won() {
        assert_eq!(format_won(14000), "14,000원");
        assert_eq!(format_won(100), "100원");
        assert_eq!(format_won(1_234_567), "1,234,567원");
        assert_eq!(format_won(0), "0원");
    }
}

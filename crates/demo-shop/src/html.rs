//! HTML helpers: escaping (everything shown comes through here), values embedded in scripts,
//! money and time formatting, and the page frame.

use serde::Serialize;
use time::OffsetDateTime;
use time::macros::{format_description, offset};

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A value as a JavaScript literal that is safe inside `<script>`: JSON with `<`, `>`, `&`
/// and the JS-only line terminators escaped, so no string can close the script element.
pub fn js_value<T: Serialize>(value: &T) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// `14000` → `14,000원`.
pub fn won(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{out}원")
}

/// Unix seconds as Korean local time (the shop's customers are in KST).
pub fn kst(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.to_offset(offset!(+9))
                .format(format_description!(
                    "[year]-[month]-[day] [hour]:[minute]:[second]"
                ))
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

/// The page frame. `head` and `body` are trusted markup built by the caller from escaped parts.
pub fn page(title: &str, head: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · 데모 상점</title>
<style>{STYLE}</style>
{head}
</head>
<body>
<header><a href="/">데모 상점</a> <nav><a href="/orders">주문 내역</a></nav></header>
<main>
{body}
</main>
</body>
</html>
"#,
        title = escape(title),
    )
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Apple SD Gothic Neo','Malgun Gothic',sans-serif;margin:0;color:#222;background:#fafafa}\
header{display:flex;justify-content:space-between;padding:12px 20px;background:#fff;border-bottom:1px solid #eee}\
header a{color:#222;text-decoration:none;font-weight:600}\
main{max-width:880px;margin:24px auto;padding:0 20px}\
.product{background:#fff;border:1px solid #eee;border-radius:12px;padding:24px;max-width:420px}\
.price{font-size:1.4em;font-weight:700}\
#pay{background:#fee500;color:#191919;border:0;border-radius:8px;padding:12px 24px;font-size:1em;font-weight:600;cursor:pointer}\
#result{white-space:pre-wrap;margin-top:16px;padding:12px;border-radius:8px;background:#f1f1f1;min-height:1em}\
#result:empty{display:none}\
#result[data-status=success]{background:#e6f6ea}\
#result[data-status=forgery],#result[data-status=failed],#result[data-status=error]{background:#fdecea}\
table{border-collapse:collapse;width:100%;background:#fff;font-size:.9em}\
th,td{border:1px solid #eee;padding:6px 8px;text-align:left;vertical-align:top}\
td ul{margin:0;padding-left:16px}\
code{font-size:.9em}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        let js = js_value(&"</script><!--\u{2028}");
        assert!(!js.contains('<') && !js.contains('\u{2028}'), "{js}");
    }

    #[test]
    fn money_and_time() {
        assert_eq!(won(14_000), "14,000원");
        assert_eq!(won(100), "100원");
        assert_eq!(won(1_234_567), "1,234,567원");
        assert_eq!(won(-1000), "-1,000원");
        assert_eq!(kst(0), "1970-01-01 09:00:00");
    }
}

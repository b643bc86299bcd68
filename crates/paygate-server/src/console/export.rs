//! `GET /console/export.csv?…`: the payment list with the list's filters as CSV, UTF-8 with a
//! byte-order mark so Excel reads Korean correctly, at most 10,000 rows (newest first).
//! Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) are
//! prefixed with `'`.

use crate::console::i18n::{Lang, t};
use crate::console::kst;
use crate::console::payments::Filters;
use crate::console::session::{Session, unavailable};
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paygate_core::Payment;
use paygate_store::CONSOLE_ROWS_MAX;

pub const BOM: &str = "\u{feff}";

/// One CSV cell: quoted when it holds a comma, quote or line break; formula-looking text
/// defused.
pub fn cell(s: &str) -> String {
    let defused = match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_owned(),
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

const COLUMNS: &[&str] = &[
    "imp_uid",
    "merchant_uid",
    "status",
    "name",
    "amount",
    "cancel_amount",
    "currency",
    "buyer_name",
    "buyer_email",
    "buyer_tel",
    "pay_method",
    "pg_provider",
    "pg_tid",
    "card_name",
    "started_at",
    "paid_at",
    "cancelled_at",
    "failed_at",
    "cancel_reason",
    "fail_reason",
];

fn header_row(lang: Lang) -> String {
    COLUMNS
        .iter()
        .map(|c| cell(t(lang, &format!("csv.{c}"))))
        .collect::<Vec<_>>()
        .join(",")
}

fn row(p: &Payment) -> String {
    let o = |s: &Option<String>| s.clone().unwrap_or_default();
    let time = |ts: i64| {
        if ts == 0 {
            String::new()
        } else {
            kst::datetime(ts)
        }
    };
    [
        p.imp_uid.to_string(),
        p.merchant_uid.to_string(),
        p.status.as_wire().to_owned(),
        o(&p.name),
        p.amount.won().to_string(),
        p.cancel_amount.won().to_string(),
        p.currency.clone(),
        o(&p.buyer.name),
        o(&p.buyer.email),
        o(&p.buyer.tel),
        p.pay_method.clone(),
        p.pg_provider.clone(),
        o(&p.pg_tid),
        o(&p.card.card_name),
        time(p.started_at),
        time(p.paid_at),
        time(p.cancelled_at),
        time(p.failed_at),
        o(&p.cancel_reason),
        o(&p.fail_reason),
    ]
    .iter()
    .map(|v| cell(v))
    .collect::<Vec<_>>()
    .join(",")
}

pub async fn csv(
    State(state): State<AppState>,
    session: Session,
    RawQuery(raw): RawQuery,
) -> Response {
    let lang = session.lang;
    let filters = Filters::from_query(raw.as_deref());
    let parsed = match filters.parse(lang) {
        Ok(p) => p,
        Err(errors) => {
            return (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                errors.join(" "),
            )
                .into_response();
        }
    };
    let code = session.merchant.merchant_code.to_string();
    let page = match state
        .store
        .console_payments(&filters.query(&code, &parsed, 0, CONSOLE_ROWS_MAX))
        .await
    {
        Ok(p) => p,
        Err(e) => return unavailable(&state, lang, e),
    };
    let mut out = String::with_capacity(256 * (page.list.len() + 1));
    out.push_str(BOM);
    out.push_str(&header_row(lang));
    out.push_str("\r\n");
    for p in &page.list {
        out.push_str(&row(p));
        out.push_str("\r\n");
    }
    let filename = format!(
        "attachment; filename=\"payments-{}.csv\"",
        kst::date(state.now()).replace('-', "")
    );
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        out,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&filename) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&page.total.to_string()) {
        response.headers_mut().insert("x-total-count", v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("@SUM"), "'@SUM");
        assert_eq!(cell("홍길동"), "홍길동");
        assert_eq!(header_row(Lang::En).split(',').count(), COLUMNS.len());
        assert!(!header_row(Lang::Ko).contains('?'));
        assert!(!header_row(Lang::En).contains('?'));
    }
}

//! Payments: the searchable, paged list; one payment with every field, its cancel history and
//! its webhook deliveries with each attempt; and the cancel form, which goes through
//! `payments::cancel::cancel_payment`, the REST cancel's own code path.

use crate::console::i18n::{Lang, t};
use crate::console::layout::{Nav, csrf_field, escape, money, opt, shell, status_label};
use crate::console::session::{Session, form_of, unavailable};
use crate::console::{FormData, html, kst, redirect};
use crate::http::timing::PgTime;
use crate::payments::cancel::{CancelTarget, cancel_payment};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use paygate_core::amount::Amount;
use paygate_core::cancel::CancelRequest;
use paygate_core::payment::StatusFilter;
use paygate_core::{ImpUid, Payment, PaymentStatus};
use paygate_store::ConsoleQuery;
use std::time::Duration;

pub const PAGE_SIZE: i64 = 20;
/// Longest text filter kept.
const FILTER_MAX_CHARS: usize = 100;
/// Longest cancel reason kept (as the REST cancel).
const REASON_MAX_CHARS: usize = 200;

/// The list's filters, as the search form and the query string carry them.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub status: String,
    pub from: String,
    pub to: String,
    pub merchant_uid: String,
    pub imp_uid: String,
    pub buyer_name: String,
    pub amount: String,
    pub page: i64,
}

/// Filters turned into a query, or the messages of the ones that do not parse.
pub struct Parsed {
    pub status: StatusFilter,
    pub started_from: Option<i64>,
    pub started_to: Option<i64>,
    pub amount: Option<i64>,
}

impl Filters {
    pub fn from_query(raw: Option<&str>) -> Self {
        let q = FormData::query(raw);
        let text = |k: &str| q.text(k, FILTER_MAX_CHARS).unwrap_or_default();
        Filters {
            status: q.get("status").unwrap_or("all").to_owned(),
            from: text("from"),
            to: text("to"),
            merchant_uid: text("merchant_uid"),
            imp_uid: text("imp_uid"),
            buyer_name: text("buyer_name"),
            amount: text("amount"),
            page: q
                .get("page")
                .and_then(|p| p.parse::<i64>().ok())
                .filter(|p| (1..=100_000).contains(p))
                .unwrap_or(1),
        }
    }

    pub fn parse(&self, lang: Lang) -> Result<Parsed, Vec<&'static str>> {
        let mut errors = Vec::new();
        let status = StatusFilter::parse(&self.status).unwrap_or_else(|| {
            errors.push(t(lang, "filter.bad_status"));
            StatusFilter::All
        });
        let date = |s: &str, errors: &mut Vec<&'static str>| {
            if s.is_empty() {
                return None;
            }
            let d = kst::parse_date(s);
            if d.is_none() {
                errors.push(t(lang, "filter.bad_date"));
            }
            d
        };
        let started_from = date(&self.from, &mut errors);
        let started_to = date(&self.to, &mut errors).map(|d| d + kst::DAY_SECS);
        if let (Some(f), Some(t_)) = (started_from, started_to)
            && f >= t_
        {
            errors.push(t(lang, "filter.bad_range"));
        }
        let amount = if self.amount.is_empty() {
            None
        } else {
            match parse_won(&self.amount) {
                Some(a) => Some(a.won()),
                None => {
                    errors.push(t(lang, "filter.bad_amount"));
                    None
                }
            }
        };
        if errors.is_empty() {
            Ok(Parsed {
                status,
                started_from,
                started_to,
                amount,
            })
        } else {
            Err(errors)
        }
    }

    pub fn query<'a>(
        &'a self,
        merchant_code: &'a str,
        p: &Parsed,
        offset: i64,
        limit: i64,
    ) -> ConsoleQuery<'a> {
        let some = |s: &'a String| (!s.is_empty()).then_some(s.as_str());
        ConsoleQuery {
            merchant_code,
            status: p.status,
            started_from: p.started_from,
            started_to: p.started_to,
            merchant_uid: some(&self.merchant_uid),
            imp_uid: some(&self.imp_uid),
            buyer_name: some(&self.buyer_name),
            amount: p.amount,
            offset,
            limit,
        }
    }

    /// The query string of these filters (without the page), for links.
    pub fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("status", self.status.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("merchant_uid", self.merchant_uid.as_str()),
            ("imp_uid", self.imp_uid.as_str()),
            ("buyer_name", self.buyer_name.as_str()),
            ("amount", self.amount.as_str()),
        ]
        .into_iter()
        .filter(|(k, v)| !(v.is_empty() || (*k == "status" && *v == "all")))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// `14000`, `14,000`, `14,000원` → ₩14,000.
pub fn parse_won(s: &str) -> Option<Amount> {
    let cleaned: String = s
        .trim()
        .trim_end_matches('원')
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    if cleaned.is_empty() || !cleaned.bytes().all(|b| b.is_ascii_digit()) || cleaned.len() > 12 {
        return None;
    }
    Amount::parse_str(&cleaned).ok()
}

fn search_form(lang: Lang, f: &Filters) -> String {
    let option = |value: &str, key: &str| {
        let selected = if f.status == value { " selected" } else { "" };
        format!(
            r#"<option value="{value}"{selected}>{}</option>"#,
            t(lang, key)
        )
    };
    let input = |id: &str, name: &str, key: &str, value: &str, kind: &str| {
        format!(
            r#"<label>{}<input id="{id}" name="{name}" type="{kind}" value="{}"></label>"#,
            t(lang, key),
            escape(value)
        )
    };
    format!(
        r#"<form id="search-form" class="inline card" method="get" action="/console/payments">
<label>{status_label}<select id="f-status" name="status">{o_all}{o_ready}{o_paid}{o_cancelled}{o_failed}</select></label>
{from}{to}{muid}{iuid}{buyer}{amount}
<button id="search-submit" class="primary" type="submit">{search}</button>
</form>"#,
        status_label = t(lang, "field.status"),
        o_all = option("all", "status.all"),
        o_ready = option("ready", "status.ready"),
        o_paid = option("paid", "status.paid"),
        o_cancelled = option("cancelled", "status.cancelled"),
        o_failed = option("failed", "status.failed"),
        from = input("f-from", "from", "filter.from", &f.from, "date"),
        to = input("f-to", "to", "filter.to", &f.to, "date"),
        muid = input(
            "f-merchant_uid",
            "merchant_uid",
            "field.merchant_uid",
            &f.merchant_uid,
            "text"
        ),
        iuid = input("f-imp_uid", "imp_uid", "field.imp_uid", &f.imp_uid, "text"),
        buyer = input(
            "f-buyer_name",
            "buyer_name",
            "field.buyer_name",
            &f.buyer_name,
            "text"
        ),
        amount = input("f-amount", "amount", "field.amount", &f.amount, "text"),
        search = t(lang, "filter.search"),
    )
}

/// `GET /console/payments`.
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    RawQuery(raw): RawQuery,
) -> Response {
    let lang = session.lang;
    let filters = Filters::from_query(raw.as_deref());
    let mut body = search_form(lang, &filters);
    let code = session.merchant.merchant_code.to_string();
    let qs = filters.query_string();
    let parsed = match filters.parse(lang) {
        Ok(p) => p,
        Err(errors) => {
            body.push_str(&format!(
                r#"<div id="filter-error" class="error">{}</div>"#,
                errors.join(" ")
            ));
            return html(
                StatusCode::BAD_REQUEST,
                shell(
                    &state,
                    lang,
                    Some(&session),
                    Nav::Payments,
                    t(lang, "payments.title"),
                    &body,
                ),
            );
        }
    };
    let offset = (filters.page - 1) * PAGE_SIZE;
    let page = match state
        .store
        .console_payments(&filters.query(&code, &parsed, offset, PAGE_SIZE))
        .await
    {
        Ok(p) => p,
        Err(e) => return unavailable(&state, lang, e),
    };
    let export_href = if qs.is_empty() {
        "/console/export.csv".to_owned()
    } else {
        format!("/console/export.csv?{qs}")
    };
    body.push_str(&format!(
        r#"<p><span id="payments-total" data-total="{total}">{total_text}</span> · <a id="export-csv" href="{href}">{export}</a> <span class="muted">({export_note})</span></p>"#,
        total = page.total,
        total_text = t(lang, "payments.total").replace("{n}", &crate::console::layout::won(page.total)),
        href = escape(&export_href),
        export = t(lang, "payments.export"),
        export_note = t(lang, "payments.export_note"),
    ));
    body.push_str(&format!(
        r#"<table id="payments-table"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class="num">{}</th><th class="num">{}</th><th>{}</th></tr></thead><tbody>"#,
        t(lang, "field.started_at"),
        t(lang, "field.imp_uid"),
        t(lang, "field.merchant_uid"),
        t(lang, "field.name"),
        t(lang, "field.buyer_name"),
        t(lang, "field.amount"),
        t(lang, "field.cancel_amount"),
        t(lang, "field.status"),
    ));
    if page.list.is_empty() {
        body.push_str(&format!(
            r#"<tr id="payments-empty"><td colspan="8" class="muted">{}</td></tr>"#,
            t(lang, "payments.none")
        ));
    }
    for p in &page.list {
        body.push_str(&format!(
            r#"<tr class="payment-row" data-imp-uid="{imp}" data-merchant-uid="{muid}" data-status="{status}" data-amount="{amount}">
<td>{started}</td><td><a class="payment-link" href="/console/payments/{imp}">{imp}</a></td><td class="wrap">{muid}</td><td>{name}</td><td>{buyer}</td><td class="num">{amount_text}</td><td class="num">{cancel_text}</td><td>{status_html}</td></tr>"#,
            imp = escape(p.imp_uid.as_str()),
            muid = escape(p.merchant_uid.as_str()),
            status = p.status.as_wire(),
            amount = p.amount.won(),
            started = kst::datetime(p.started_at),
            name = opt(p.name.as_deref()),
            buyer = opt(p.buyer.name.as_deref()),
            amount_text = money(lang, p.amount.won()),
            cancel_text = money(lang, p.cancel_amount.won()),
            status_html = status_label(lang, p.status),
        ));
    }
    body.push_str("</tbody></table>");
    let pages = ((page.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let link = |n: i64| {
        let sep = if qs.is_empty() { "" } else { "&" };
        escape(&format!("/console/payments?{qs}{sep}page={n}"))
    };
    let mut pager = format!(
        r#"<div id="pager" class="pager" data-page="{}" data-pages="{pages}">"#,
        filters.page
    );
    if filters.page > 1 {
        pager.push_str(&format!(
            r#"<a id="prev-page" href="{}">{}</a>"#,
            link(filters.page - 1),
            t(lang, "pager.prev")
        ));
    }
    pager.push_str(&format!(
        "<span>{} / {pages}</span>",
        filters.page.min(pages).max(1)
    ));
    if filters.page < pages {
        pager.push_str(&format!(
            r#"<a id="next-page" href="{}">{}</a>"#,
            link(filters.page + 1),
            t(lang, "pager.next")
        ));
    }
    pager.push_str("</div>");
    body.push_str(&pager);
    html(
        StatusCode::OK,
        shell(
            &state,
            lang,
            Some(&session),
            Nav::Payments,
            t(lang, "payments.title"),
            &body,
        ),
    )
}

fn not_found(state: &AppState, session: &Session) -> Response {
    let lang = session.lang;
    let body = format!(
        r#"<div id="error" class="error" data-error="not-found">{}</div><p><a href="/console/payments">{}</a></p>"#,
        t(lang, "payment.not_found"),
        t(lang, "payment.back")
    );
    html(
        StatusCode::NOT_FOUND,
        shell(
            state,
            lang,
            Some(session),
            Nav::Payments,
            t(lang, "error.title"),
            &body,
        ),
    )
}

/// Every field of a payment, as (I'mport field name, shown value — already escaped).
fn fields(lang: Lang, p: &Payment) -> Vec<(&'static str, String)> {
    let o = |s: &Option<String>| opt(s.as_deref());
    let m = |a: i64| money(lang, a);
    vec![
        ("imp_uid", escape(p.imp_uid.as_str())),
        ("merchant_uid", escape(p.merchant_uid.as_str())),
        ("status", status_label(lang, p.status)),
        ("name", o(&p.name)),
        ("amount", m(p.amount.won())),
        ("cancel_amount", m(p.cancel_amount.won())),
        ("cancellable_amount", m(p.cancellable().won())),
        ("cancel_pending", m(p.cancel_pending.won())),
        ("tax_free", m(p.tax_free.won())),
        ("cancel_tax_free", m(p.cancel_tax_free.won())),
        (
            "vat_amount",
            p.vat_amount
                .map(|a| m(a.won()))
                .unwrap_or_else(|| "-".into()),
        ),
        ("currency", escape(&p.currency)),
        ("pay_method", escape(&p.pay_method)),
        ("pg_provider", escape(&p.pg_provider)),
        ("pg_id", o(&p.pg_id)),
        ("pg_tid", o(&p.pg_tid)),
        ("channel", escape(&p.channel)),
        (
            "sandbox",
            if p.sandbox {
                t(lang, "mode.test").to_owned()
            } else {
                t(lang, "mode.live").to_owned()
            },
        ),
        ("apply_num", o(&p.apply_num)),
        ("card_name", o(&p.card.card_name)),
        ("card_code", o(&p.card.card_code)),
        ("card_number", o(&p.card.number)),
        ("card_quota", p.card.quota.to_string()),
        (
            "card_type",
            p.card
                .card_type
                .map(|c| c.to_string())
                .unwrap_or_else(|| "-".into()),
        ),
        ("card_issuer", o(&p.card.issuer_name)),
        ("card_publisher", o(&p.card.publisher_name)),
        ("buyer_name", o(&p.buyer.name)),
        ("buyer_email", o(&p.buyer.email)),
        ("buyer_tel", o(&p.buyer.tel)),
        ("buyer_addr", o(&p.buyer.addr)),
        ("buyer_postcode", o(&p.buyer.postcode)),
        ("custom_data", o(&p.custom_data)),
        ("user_agent", o(&p.user_agent)),
        ("started_at", kst::datetime(p.started_at)),
        ("paid_at", kst::datetime(p.paid_at)),
        ("failed_at", kst::datetime(p.failed_at)),
        ("cancelled_at", kst::datetime(p.cancelled_at)),
        ("updated_at", kst::datetime(p.updated_at)),
        ("fail_reason", o(&p.fail_reason)),
        ("cancel_reason", o(&p.cancel_reason)),
        ("receipt_url", o(&p.receipt_url)),
        ("notice_url", o(&p.notice_url)),
        ("m_redirect_url", o(&p.m_redirect_url)),
        ("app_scheme", o(&p.app_scheme)),
        ("language", o(&p.language)),
        ("window_mode", o(&p.window_mode)),
    ]
}

/// The detail page; `cancel_error` is shown above the cancel form (with `status`).
async fn detail_page(
    state: &AppState,
    session: &Session,
    imp_uid: &str,
    flash: Option<&str>,
    cancel_error: Option<(StatusCode, String, FormData)>,
) -> Response {
    let lang = session.lang;
    if ImpUid::parse(imp_uid).is_err() {
        return not_found(state, session);
    }
    let code = session.merchant.merchant_code.as_str();
    let payment = match state.store.payment(code, imp_uid).await {
        Ok(Some(p)) => p,
        Ok(None) => return not_found(state, session),
        Err(e) => return unavailable(state, lang, e),
    };
    let deliveries = match state.store.deliveries_of_payment(code, imp_uid).await {
        Ok(d) => d,
        Err(e) => return unavailable(state, lang, e),
    };
    let mut body = String::new();
    if let Some(key) = flash {
        body.push_str(&format!(
            r#"<div id="flash" class="notice" data-flash="{key}">{}</div>"#,
            t(lang, &format!("flash.{key}"))
        ));
    }
    body.push_str(&format!(
        r#"<p><a id="back-to-list" href="/console/payments">{}</a></p>"#,
        t(lang, "payment.back")
    ));
    body.push_str(&format!(
        r#"<section id="payment-detail" data-imp-uid="{}" data-status="{}" data-amount="{}" data-cancel-amount="{}">"#,
        escape(payment.imp_uid.as_str()),
        payment.status.as_wire(),
        payment.amount.won(),
        payment.cancel_amount.won(),
    ));

    // Cancel form first: it is what a merchant comes here for.
    let (status, form_values) = match &cancel_error {
        Some((status, message, form)) => {
            body.push_str(&format!(
                r#"<div id="cancel-error" class="error">{}</div>"#,
                escape(message)
            ));
            (*status, Some(form))
        }
        None => (StatusCode::OK, None),
    };
    let cancellable = payment.cancellable();
    if payment.status == PaymentStatus::Paid && !cancellable.is_zero() {
        let value = |k: &str| {
            form_values
                .and_then(|f| f.get(k))
                .map(escape)
                .unwrap_or_default()
        };
        let webhook_checked = match form_values {
            Some(f) if f.get("enable_webhook").is_none() => "",
            _ => " checked",
        };
        body.push_str(&format!(
            r#"<h2>{title}</h2>
<form id="cancel-form" class="inline card" method="post" action="/console/payments/{imp}/cancel">
{csrf}<input type="hidden" name="checksum" value="{checksum}">
<label>{amount_label}<input id="cancel-amount" name="amount" inputmode="numeric" placeholder="{amount_hint}" value="{amount}"></label>
<label>{reason_label}<input id="cancel-reason" name="reason" maxlength="200" required value="{reason}"></label>
<label><span><input id="cancel-webhook" type="checkbox" name="enable_webhook" value="true"{webhook_checked}> {webhook_label}</span></label>
<button id="cancel-submit" class="danger" type="submit">{submit}</button>
<span class="muted">{left}</span>
</form>"#,
            title = t(lang, "cancel.title"),
            imp = escape(payment.imp_uid.as_str()),
            csrf = csrf_field(session),
            checksum = cancellable.won(),
            amount_label = t(lang, "cancel.amount"),
            amount_hint = t(lang, "cancel.amount_hint"),
            amount = value("amount"),
            reason_label = t(lang, "cancel.reason"),
            reason = value("reason"),
            webhook_label = t(lang, "cancel.webhook"),
            submit = t(lang, "cancel.submit"),
            left = t(lang, "cancel.left").replace("{amount}", &money(lang, cancellable.won())),
        ));
    }

    body.push_str(&format!(
        r#"<h2>{}</h2><table id="payment-fields" class="fields"><tbody>"#,
        t(lang, "payment.fields")
    ));
    for (name, value) in fields(lang, &payment) {
        body.push_str(&format!(
            r#"<tr><th>{name}</th><td id="field-{name}" class="wrap">{value}</td></tr>"#
        ));
    }
    body.push_str("</tbody></table>");

    body.push_str(&format!(
        r#"<h2>{}</h2><table id="cancel-history"><thead><tr><th>{}</th><th class="num">{}</th><th class="num">{}</th><th>{}</th><th>{}</th></tr></thead><tbody>"#,
        t(lang, "payment.cancel_history"),
        t(lang, "field.cancelled_at"),
        t(lang, "field.amount"),
        t(lang, "field.tax_free"),
        t(lang, "cancel.reason"),
        "cancellation_id",
    ));
    if payment.cancel_history.is_empty() {
        body.push_str(&format!(
            r#"<tr id="cancel-history-empty"><td colspan="5" class="muted">{}</td></tr>"#,
            t(lang, "payment.no_cancels")
        ));
    }
    for c in &payment.cancel_history {
        body.push_str(&format!(
            r#"<tr class="cancel-row" data-amount="{amount}" data-cancellation-id="{id}"><td>{at}</td><td class="num">{amount_text}</td><td class="num">{tax_free}</td><td class="cancel-reason">{reason}</td><td>{id}</td></tr>"#,
            amount = c.amount.won(),
            id = escape(&c.cancellation_id),
            at = kst::datetime(c.cancelled_at),
            amount_text = money(lang, c.amount.won()),
            tax_free = money(lang, c.tax_free.won()),
            reason = opt(c.reason.as_deref()),
        ));
    }
    body.push_str("</tbody></table>");

    body.push_str(&format!(
        r#"<h2>{}</h2><table id="webhooks"><thead><tr><th>{}</th><th>{}</th><th>URL</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>"#,
        t(lang, "payment.webhooks"),
        t(lang, "webhook.event"),
        t(lang, "webhook.when"),
        t(lang, "webhook.status"),
        t(lang, "webhook.http"),
        t(lang, "webhook.latency"),
        t(lang, "webhook.error"),
    ));
    if deliveries.is_empty() {
        body.push_str(&format!(
            r#"<tr id="webhooks-empty"><td colspan="7" class="muted">{}</td></tr>"#,
            t(lang, "payment.no_webhooks")
        ));
    }
    for (d, attempts) in &deliveries {
        body.push_str(&format!(
            r#"<tr class="webhook-delivery" data-delivery-id="{id}" data-event="{event}" data-status="{status}" data-attempts="{n}"><td><b>{event}</b></td><td>{created}</td><td class="wrap">{url}</td><td>{status_text}</td><td colspan="3" class="muted">{next}</td></tr>"#,
            id = escape(&d.id),
            event = escape(&d.event),
            status = d.status.as_str(),
            n = d.attempts,
            created = kst::datetime(d.created_at),
            url = escape(&d.url),
            status_text = t(lang, &format!("webhook.{}", d.status.as_str())),
            next = if d.status == paygate_store::DeliveryStatus::Pending {
                t(lang, "webhook.next").replace("{at}", &kst::datetime(d.next_attempt_at))
            } else {
                String::new()
            },
        ));
        for a in attempts {
            body.push_str(&format!(
                r#"<tr class="webhook-attempt" data-delivery-id="{id}" data-attempt="{n}" data-status-code="{code}"><td class="muted">#{n}</td><td>{at}</td><td></td><td></td><td>{code_text}</td><td>{latency} ms</td><td class="wrap">{error}</td></tr>"#,
                id = escape(&d.id),
                n = a.attempt,
                code = a.status_code.map(|c| c.to_string()).unwrap_or_default(),
                at = kst::datetime(a.started_at),
                code_text = a
                    .status_code
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "-".into()),
                latency = a.latency_ms,
                error = opt(a.error.as_deref()),
            ));
        }
    }
    body.push_str("</tbody></table></section>");
    let title = format!("{} {}", t(lang, "payment.title"), payment.imp_uid);
    html(
        status,
        shell(state, lang, Some(session), Nav::Payments, &title, &body),
    )
}

/// `GET /console/payments/{imp_uid}`.
pub async fn detail(
    State(state): State<AppState>,
    session: Session,
    Path(imp_uid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = FormData::query(raw.as_deref());
    let flash = match q.get("done") {
        Some("cancelled") => Some("cancelled"),
        _ => None,
    };
    detail_page(&state, &session, &imp_uid, flash, None).await
}

/// `POST /console/payments/{imp_uid}/cancel` (amount — empty for all that is left —, reason,
/// enable_webhook, checksum, csrf_token).
pub async fn cancel(
    State(state): State<AppState>,
    session: Session,
    Path(imp_uid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = session.lang;
    let form = match form_of(&state, lang, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    if let Err(r) = session.check(&state, &headers, &form) {
        return r;
    }
    if ImpUid::parse(&imp_uid).is_err() {
        return not_found(&state, &session);
    }
    let refuse =
        |message: &str, form: FormData| Some((StatusCode::BAD_REQUEST, message.to_owned(), form));
    let amount = match form.get("amount") {
        None => None,
        Some(text) => match parse_won(text) {
            Some(a) if !a.is_zero() => Some(a),
            _ => {
                let error = refuse(t(lang, "cancel.bad_amount"), form.clone());
                return detail_page(&state, &session, &imp_uid, None, error).await;
            }
        },
    };
    let checksum = form.get("checksum").and_then(parse_won);
    let reason = form
        .text("reason", REASON_MAX_CHARS)
        .map(|r| r.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|r| !r.trim().is_empty());
    let Some(reason) = reason else {
        let error = refuse(t(lang, "cancel.no_reason"), form.clone());
        return detail_page(&state, &session, &imp_uid, None, error).await;
    };
    // Checked: ask for a webhook; unchecked: the merchant's setting decides (as the REST
    // cancel without enable_webhook).
    let enable_webhook = form.get("enable_webhook").map(|_| true);
    let request = CancelRequest {
        amount,
        tax_free: None,
        vat_amount: None,
        checksum,
        reason: Some(reason),
    };
    let mut pg_time = Duration::ZERO;
    let result = cancel_payment(
        &state,
        &session.merchant.merchant_code,
        CancelTarget::ImpUid(imp_uid.clone()),
        request,
        enable_webhook,
        &mut pg_time,
    )
    .await;
    let mut response = match result {
        Ok(p) => {
            tracing::info!(merchant = %session.merchant.merchant_code, imp_uid = %p.imp_uid, "console: cancelled");
            redirect(&format!("/console/payments/{}?done=cancelled", p.imp_uid))
        }
        Err(e) => {
            let (status, _, _) = e.code.row();
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            let status = if status.is_success() {
                StatusCode::CONFLICT
            } else {
                status
            };
            detail_page(
                &state,
                &session,
                &imp_uid,
                None,
                Some((status, e.message, form)),
            )
            .await
        }
    };
    if !pg_time.is_zero() {
        response.extensions_mut().insert(PgTime(pg_time));
    }
    response
}

//! Today at a glance: paid count and sum, cancelled sum and failure rate of today (KST), and a
//! chart of sales — per hour for one day, per day for a longer range — drawn as SVG on the
//! server (no script, nothing fetched from elsewhere).

use crate::console::i18n::{Lang, t};
use crate::console::layout::{Nav, escape, money, shell, won};
use crate::console::session::{Session, unavailable};
use crate::console::{FormData, html, kst};
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use paygate_store::{SalesBucket, SalesSummary};

/// Longest chart range, in days.
pub const RANGE_DAYS_MAX: i64 = 92;

/// Failed ÷ (paid + failed), as `12.5%`; `-` when nothing ended.
fn failure_rate(s: &SalesSummary) -> String {
    let ended = s.paid_count + s.failed_count;
    if ended == 0 {
        return "-".to_owned();
    }
    let permille = s.failed_count * 1000 / ended;
    format!("{}.{}%", permille / 10, permille % 10)
}

/// The chosen range: `[from, to)` as unix times and whether buckets are hours.
struct Range {
    from: i64,
    to: i64,
    hourly: bool,
    from_text: String,
    to_text: String,
}

fn range(q: &FormData, now: i64) -> Result<Range, &'static str> {
    let today = kst::day_start(now);
    let from = match q.get("from") {
        Some(s) => kst::parse_date(s).ok_or("dashboard.bad_range")?,
        None => today,
    };
    let to_day = match q.get("to") {
        Some(s) => kst::parse_date(s).ok_or("dashboard.bad_range")?,
        None => from,
    };
    if to_day < from || (to_day - from) / kst::DAY_SECS >= RANGE_DAYS_MAX {
        return Err("dashboard.bad_range");
    }
    Ok(Range {
        from,
        to: to_day + kst::DAY_SECS,
        hourly: to_day == from,
        from_text: kst::date(from),
        to_text: kst::date(to_day),
    })
}

/// The bar chart. Every bucket gets a bar (zero-height when empty) carrying its figures as
/// `data-*` and a `<title>` tooltip.
fn chart(lang: Lang, r: &Range, buckets: &[SalesBucket]) -> String {
    let (count, step) = if r.hourly {
        (24, 3600)
    } else {
        ((r.to - r.from) / kst::DAY_SECS, kst::DAY_SECS)
    };
    let count = count.clamp(1, RANGE_DAYS_MAX);
    let mut sums = vec![(0i64, 0i64); usize::try_from(count).unwrap_or(1)];
    for b in buckets {
        if let Some(slot) = usize::try_from(b.index).ok().and_then(|i| sums.get_mut(i)) {
            *slot = (b.count, b.sum);
        }
    }
    let max = sums.iter().map(|s| s.1).max().unwrap_or(0).max(1);
    let (w, h, left, right, top, bottom) = (860.0_f64, 280.0_f64, 90.0, 10.0, 14.0, 34.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let slot = plot_w / count as f64;
    let bar_w = (slot * 0.7).max(1.0);
    let mut svg = format!(
        r#"<svg id="sales-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{label}" data-buckets="{count}" data-unit="{unit}">"#,
        label = t(lang, "dashboard.chart"),
        unit = if r.hourly { "hour" } else { "day" },
    );
    // Grid and y-axis labels at 0, ½ and the maximum.
    for frac in [0.0, 0.5, 1.0] {
        let y = top + plot_h * (1.0 - frac);
        let value = (max as f64 * frac).round() as i64;
        svg.push_str(&format!(
            r##"<line x1="{left}" x2="{x2}" y1="{y:.1}" y2="{y:.1}" stroke="#e1e5ec"/><text x="{tx}" y="{ty:.1}" text-anchor="end">{v}</text>"##,
            x2 = w - right,
            tx = left - 6.0,
            ty = y + 4.0,
            v = escape(&money(lang, value)),
        ));
    }
    let label_every = if r.hourly { 3 } else { (count / 12).max(1) };
    for (i, (n, sum)) in sums.iter().enumerate() {
        let i = i as i64;
        let x = left + slot * i as f64 + (slot - bar_w) / 2.0;
        let bh = plot_h * (*sum as f64) / (max as f64);
        let y = top + plot_h - bh;
        let start = r.from + i * step;
        let when = if r.hourly {
            format!("{:02}:00", i)
        } else {
            kst::date(start).get(5..).unwrap_or_default().to_owned()
        };
        svg.push_str(&format!(
            r#"<rect class="bar" data-bucket="{i}" data-start="{start}" data-count="{n}" data-sum="{sum}" x="{x:.1}" y="{y:.1}" width="{bar_w:.1}" height="{bh:.1}"><title>{when} · {count_text} · {sum_text}</title></rect>"#,
            count_text = t(lang, "dashboard.count").replace("{n}", &won(*n)),
            sum_text = escape(&money(lang, *sum)),
        ));
        if i % label_every == 0 {
            svg.push_str(&format!(
                r#"<text x="{cx:.1}" y="{ly:.1}" text-anchor="middle">{when}</text>"#,
                cx = x + bar_w / 2.0,
                ly = h - bottom + 16.0,
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

fn stat(id: &str, label: &str, value: &str, raw: i64) -> String {
    format!(
        r#"<div class="stat"><div class="label">{label}</div><div id="{id}" class="value" data-value="{raw}">{value}</div></div>"#
    )
}

/// `GET /console/dashboard[?from=YYYY-MM-DD&to=YYYY-MM-DD]`.
pub async fn page(
    State(state): State<AppState>,
    session: Session,
    RawQuery(raw): RawQuery,
) -> Response {
    let lang = session.lang;
    let code = session.merchant.merchant_code.as_str();
    let now = state.now();
    let today = kst::day_start(now);
    let q = FormData::query(raw.as_deref());
    let (r, range_error) = match range(&q, now) {
        Ok(r) => (r, None),
        Err(key) => (
            Range {
                from: today,
                to: today + kst::DAY_SECS,
                hourly: true,
                from_text: kst::date(today),
                to_text: kst::date(today),
            },
            Some(key),
        ),
    };
    let todays = match state
        .store
        .sales_summary(code, today, today + kst::DAY_SECS)
        .await
    {
        Ok(s) => s,
        Err(e) => return unavailable(&state, lang, e),
    };
    let step = if r.hourly { 3600 } else { kst::DAY_SECS };
    let buckets = match state.store.sales_buckets(code, r.from, r.to, step).await {
        Ok(b) => b,
        Err(e) => return unavailable(&state, lang, e),
    };
    let in_range = match state.store.sales_summary(code, r.from, r.to).await {
        Ok(s) => s,
        Err(e) => return unavailable(&state, lang, e),
    };
    let mut body = format!(
        r#"<h2>{today_title} <span class="muted">{date}</span></h2><div id="today" class="stats">{a}{b}{c}{d}</div>"#,
        today_title = t(lang, "dashboard.today"),
        date = kst::date(today),
        a = stat(
            "stat-paid-count",
            t(lang, "dashboard.paid_count"),
            &won(todays.paid_count),
            todays.paid_count
        ),
        b = stat(
            "stat-paid-sum",
            t(lang, "dashboard.paid_sum"),
            &money(lang, todays.paid_sum),
            todays.paid_sum
        ),
        c = stat(
            "stat-cancelled-sum",
            t(lang, "dashboard.cancelled_sum"),
            &money(lang, todays.cancelled_sum),
            todays.cancelled_sum
        ),
        d = stat(
            "stat-failure-rate",
            t(lang, "dashboard.failure_rate"),
            &failure_rate(&todays),
            todays.failed_count
        ),
    );
    body.push_str(&format!(
        r#"<h2>{title}</h2>
<form id="range-form" class="inline card" method="get" action="/console/dashboard">
<label>{from_label}<input id="range-from" type="date" name="from" value="{from}"></label>
<label>{to_label}<input id="range-to" type="date" name="to" value="{to}"></label>
<button id="range-submit" class="primary" type="submit">{show}</button>
<span class="muted">{hint}</span>
</form>"#,
        title = t(lang, "dashboard.chart"),
        from_label = t(lang, "filter.from"),
        to_label = t(lang, "filter.to"),
        from = escape(&r.from_text),
        to = escape(&r.to_text),
        show = t(lang, "dashboard.show"),
        hint = t(lang, "dashboard.hint"),
    ));
    if let Some(key) = range_error {
        body.push_str(&format!(
            r#"<div id="range-error" class="error">{}</div>"#,
            t(lang, key)
        ));
    }
    body.push_str(&format!(
        r#"<div class="card">{chart}<p id="range-summary" class="muted" data-paid-count="{pc}" data-paid-sum="{ps}" data-cancelled-sum="{cs}">{summary}</p></div>"#,
        chart = chart(lang, &r, &buckets),
        pc = in_range.paid_count,
        ps = in_range.paid_sum,
        cs = in_range.cancelled_sum,
        summary = t(lang, "dashboard.range_summary")
            .replace("{from}", &r.from_text)
            .replace("{to}", &r.to_text)
            .replace("{count}", &won(in_range.paid_count))
            .replace("{paid}", &money(lang, in_range.paid_sum))
            .replace("{cancelled}", &money(lang, in_range.cancelled_sum))
            .replace("{net}", &money(lang, in_range.paid_sum - in_range.cancelled_sum)),
    ));
    let status = if range_error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    html(
        status,
        shell(
            &state,
            lang,
            Some(&session),
            Nav::Dashboard,
            t(lang, "dashboard.title"),
            &body,
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_ranges() {
        let s = SalesSummary {
            paid_count: 7,
            failed_count: 1,
            ..Default::default()
        };
        assert_eq!(failure_rate(&s), "12.5%");
        assert_eq!(failure_rate(&SalesSummary::default()), "-");
        let now = 1_709_218_800 + 3600;
        let q = FormData::query(Some("from=2024-03-01&to=2024-03-07"));
        let r = range(&q, now).unwrap();
        assert!(!r.hourly);
        assert_eq!((r.to - r.from) / kst::DAY_SECS, 7);
        assert!(range(&FormData::query(Some("from=2024-03-07&to=2024-03-01")), now).is_err());
        assert!(range(&FormData::query(Some("from=2024-01-01&to=2024-12-31")), now).is_err());
        assert!(range(&FormData::query(Some("from=<script>")), now).is_err());
        let svg = chart(
            Lang::Ko,
            &range(&FormData::default(), now).unwrap(),
            &[
                SalesBucket {
                    index: 1,
                    count: 2,
                    sum: 3000,
                },
                SalesBucket {
                    index: 99,
                    count: 1,
                    sum: 1,
                },
            ],
        );
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 24);
        assert!(svg.contains("data-sum=\"3000\""));
    }
}

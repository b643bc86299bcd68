//! The console's texts in Korean (the default) and English. `?lang=en` / `?lang=ko` on any
//! page switches, and a signed-in merchant's choice is kept on their session.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Ko,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "ko" => Some(Lang::Ko),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }
}

/// (key, Korean, English). Texts are trusted HTML (no merchant data in them).
const TEXTS: &[(&str, &str, &str)] = &[
    ("console", "가맹점 콘솔", "merchant console"),
    ("mode.test", "테스트 모드", "TEST MODE"),
    ("mode.live", "실거래 모드", "LIVE"),
    (
        "mode.test_banner",
        "테스트 모드입니다: KakaoPay 샌드박스로 결제되며 실제 돈이 오가지 않습니다.",
        "Test mode: payments go through the KakaoPay sandbox; no real money moves.",
    ),
    ("nav.dashboard", "대시보드", "Dashboard"),
    ("nav.payments", "결제 내역", "Payments"),
    ("nav.settings", "설정", "Settings"),
    ("nav.logout", "로그아웃", "Sign out"),
    // sign-in
    ("login.title", "콘솔 로그인", "Sign in to the console"),
    (
        "login.intro",
        "REST API 키와 시크릿으로 로그인합니다.",
        "Sign in with your REST API key and secret.",
    ),
    (
        "login.imp_key",
        "REST API 키 (imp_key)",
        "REST API key (imp_key)",
    ),
    (
        "login.imp_secret",
        "REST API 시크릿 (imp_secret)",
        "REST API secret (imp_secret)",
    ),
    ("login.submit", "로그인", "Sign in"),
    (
        "login.wrong",
        "REST API 키 또는 시크릿이 올바르지 않습니다.",
        "The REST API key or secret is wrong.",
    ),
    (
        "login.missing",
        "REST API 키와 시크릿을 입력해주세요.",
        "Enter your REST API key and secret.",
    ),
    (
        "login.too_many",
        "로그인 시도가 너무 많습니다. 잠시 후 다시 시도해주세요.",
        "Too many sign-in attempts. Try again in a few minutes.",
    ),
    (
        "login.expired",
        "세션이 만료되었습니다. 다시 로그인해주세요.",
        "Your session has ended. Please sign in again.",
    ),
    ("login.again", "다시 로그인", "Sign in again"),
    // errors
    (
        "error.title",
        "요청을 처리할 수 없습니다",
        "The request cannot be processed",
    ),
    (
        "error.csrf",
        "보안 토큰이 없거나 올바르지 않아 요청이 거부되었습니다. 페이지를 새로 고친 뒤 다시 시도해주세요.",
        "The request was refused: its security token is missing or wrong. Reload the page and try again.",
    ),
    (
        "error.form",
        "요청 본문을 해석할 수 없습니다.",
        "The form could not be read.",
    ),
    (
        "error.unavailable",
        "데이터베이스에 일시적으로 연결할 수 없습니다. 잠시 후 다시 시도해주세요.",
        "The database is briefly unavailable. Try again shortly.",
    ),
    // statuses
    ("status.all", "전체", "All"),
    ("status.ready", "미결제", "Ready"),
    ("status.paid", "결제완료", "Paid"),
    ("status.cancelled", "결제취소", "Cancelled"),
    ("status.failed", "결제실패", "Failed"),
    // fields
    ("field.status", "상태", "Status"),
    ("field.imp_uid", "아임포트 번호 (imp_uid)", "imp_uid"),
    (
        "field.merchant_uid",
        "주문번호 (merchant_uid)",
        "merchant_uid",
    ),
    ("field.name", "상품명", "Product"),
    ("field.buyer_name", "구매자", "Buyer"),
    ("field.amount", "금액", "Amount"),
    ("field.cancel_amount", "취소 금액", "Cancelled"),
    ("field.started_at", "결제 요청 시각", "Started"),
    ("field.cancelled_at", "취소 시각", "Cancelled at"),
    ("field.tax_free", "면세 금액", "Tax-free"),
    // list
    ("payments.title", "결제 내역", "Payments"),
    ("payments.total", "총 {n}건", "{n} payments"),
    ("payments.export", "CSV 내보내기", "Export CSV"),
    (
        "payments.export_note",
        "현재 검색 조건, 최대 10,000건",
        "current filters, up to 10,000 rows",
    ),
    (
        "payments.none",
        "조건에 맞는 결제가 없습니다.",
        "No payment matches.",
    ),
    ("filter.from", "시작일", "From"),
    ("filter.to", "종료일", "To"),
    ("filter.search", "검색", "Search"),
    (
        "filter.bad_status",
        "상태 값이 올바르지 않습니다.",
        "Unknown status.",
    ),
    (
        "filter.bad_date",
        "날짜는 YYYY-MM-DD 형식이어야 합니다.",
        "Dates must be YYYY-MM-DD.",
    ),
    (
        "filter.bad_range",
        "시작일이 종료일보다 늦습니다.",
        "The start date is after the end date.",
    ),
    (
        "filter.bad_amount",
        "금액은 숫자로 입력해주세요.",
        "The amount must be a number of won.",
    ),
    ("pager.prev", "← 이전", "← Previous"),
    ("pager.next", "다음 →", "Next →"),
    // detail
    ("payment.title", "결제 상세", "Payment"),
    ("payment.back", "← 결제 내역으로", "← Back to payments"),
    ("payment.fields", "결제 정보", "Fields"),
    ("payment.cancel_history", "취소 내역", "Cancel history"),
    ("payment.no_cancels", "취소 내역이 없습니다.", "No cancels."),
    ("payment.webhooks", "웹훅 전송 기록", "Webhook deliveries"),
    (
        "payment.no_webhooks",
        "웹훅 전송 기록이 없습니다.",
        "No webhook deliveries.",
    ),
    (
        "payment.not_found",
        "존재하지 않는 결제정보입니다.",
        "No such payment.",
    ),
    ("flash.cancelled", "취소되었습니다.", "Cancelled."),
    ("cancel.title", "결제 취소", "Cancel"),
    ("cancel.amount", "취소 금액", "Amount to cancel"),
    (
        "cancel.amount_hint",
        "비우면 전액 취소",
        "empty: everything left",
    ),
    ("cancel.reason", "취소 사유", "Reason"),
    ("cancel.webhook", "웹훅 전송", "Send a webhook"),
    ("cancel.submit", "취소하기", "Cancel payment"),
    (
        "cancel.left",
        "취소 가능 금액 {amount}",
        "{amount} can be cancelled",
    ),
    (
        "cancel.bad_amount",
        "취소 금액은 1원 이상의 숫자여야 합니다.",
        "The amount must be a number of won, at least 1.",
    ),
    (
        "cancel.no_reason",
        "취소 사유를 입력해주세요.",
        "Enter a reason.",
    ),
    ("webhook.event", "이벤트", "Event"),
    ("webhook.when", "시각", "When"),
    ("webhook.status", "상태", "Status"),
    ("webhook.http", "HTTP 응답", "HTTP status"),
    ("webhook.latency", "응답 시간", "Latency"),
    ("webhook.error", "오류", "Error"),
    ("webhook.pending", "전송 대기", "pending"),
    ("webhook.delivered", "전송 완료", "delivered"),
    (
        "webhook.dead",
        "전송 실패 (재시도 종료)",
        "dead (retries exhausted)",
    ),
    ("webhook.next", "다음 시도 {at}", "next attempt {at}"),
    // dashboard
    ("dashboard.title", "대시보드", "Dashboard"),
    ("dashboard.today", "오늘", "Today"),
    ("dashboard.paid_count", "결제 건수", "Paid payments"),
    ("dashboard.paid_sum", "결제 금액", "Paid amount"),
    ("dashboard.cancelled_sum", "취소 금액", "Cancelled amount"),
    ("dashboard.failure_rate", "결제 실패율", "Failure rate"),
    ("dashboard.chart", "매출 추이", "Sales"),
    ("dashboard.show", "보기", "Show"),
    (
        "dashboard.hint",
        "하루: 시간별, 여러 날: 일별 (최대 92일)",
        "one day: per hour; several days: per day (up to 92)",
    ),
    ("dashboard.count", "{n}건", "{n} paid"),
    (
        "dashboard.range_summary",
        "{from} ~ {to}: 결제 {count}건, 결제 금액 {paid}, 취소 금액 {cancelled}, 순매출 {net}",
        "{from} – {to}: {count} paid, {paid} paid, {cancelled} cancelled, {net} net",
    ),
    (
        "dashboard.bad_range",
        "기간이 올바르지 않습니다 (YYYY-MM-DD, 시작일 ≤ 종료일, 최대 92일).",
        "Invalid range (YYYY-MM-DD, from ≤ to, at most 92 days).",
    ),
    // settings
    ("settings.title", "설정", "Settings"),
    ("settings.mode", "모드", "Mode"),
    ("settings.saved", "저장되었습니다.", "Saved."),
    ("settings.save", "저장", "Save"),
    (
        "settings.channel",
        "기본 PG 채널 (카카오페이)",
        "Default PG channel (KakaoPay)",
    ),
    ("settings.cid", "가맹점 코드 (cid)", "Merchant id (cid)"),
    ("settings.secret_key", "Secret key", "Secret key"),
    (
        "settings.secret_key_hint",
        "바꿀 때만 입력",
        "only to replace it",
    ),
    (
        "settings.secret_key_set",
        "설정됨 (표시하지 않음)",
        "set (never shown)",
    ),
    ("settings.secret_key_unset", "미설정", "not set"),
    (
        "settings.webhook",
        "웹훅 (Notification URL)",
        "Webhooks (notification URL)",
    ),
    (
        "settings.notice_url",
        "기본 웹훅 URL",
        "Default webhook URL",
    ),
    ("settings.format", "형식", "Format"),
    (
        "settings.policy",
        "REST 취소 시 웹훅",
        "Webhook on REST cancels",
    ),
    (
        "settings.policy_flag",
        "enable_webhook=true 일 때만",
        "only with enable_webhook=true",
    ),
    ("settings.policy_always", "항상", "always"),
    (
        "settings.webhook_secret",
        "웹훅 서명 시크릿",
        "Webhook signing secret",
    ),
    ("settings.webhook_secret_unset", "미설정", "not set"),
    ("settings.webhook_secret_set", "설정됨", "set"),
    (
        "settings.webhook_secret_rotated",
        "설정됨 (마지막 교체 {at})",
        "set (last rotated {at})",
    ),
    ("settings.rotate", "새로 발급", "Rotate"),
    (
        "settings.new_webhook_secret",
        "새 웹훅 시크릿입니다. 이 화면에서 한 번만 표시됩니다. 이전 시크릿도 24시간 동안 함께 서명합니다.",
        "Your new webhook secret. It is shown this once. The previous secret keeps signing beside it for 24 hours.",
    ),
    ("settings.api_key", "REST API 키", "REST API key"),
    (
        "settings.api_key_hint",
        "새 키를 발급하면 이전 키와 그 토큰은 즉시 사용할 수 없고 콘솔에서 로그아웃됩니다.",
        "A new key stops the old key and its tokens at once, and signs you out of the console.",
    ),
    (
        "settings.new_api_key",
        "새 REST API 키와 시크릿입니다. 시크릿은 이 화면에서 한 번만 표시됩니다. 새 키로 다시 로그인해주세요.",
        "Your new REST API key and secret. The secret is shown this once. Sign in again with the new key.",
    ),
    (
        "settings.bad_cid",
        "cid 는 영문/숫자 10자리여야 합니다.",
        "The cid must be 10 letters or digits.",
    ),
    (
        "settings.bad_secret_key",
        "Secret key 형식이 올바르지 않습니다.",
        "The secret key is not valid.",
    ),
    (
        "settings.bad_url",
        "웹훅 URL 은 http:// 또는 https:// 로 시작해야 합니다.",
        "The webhook URL must start with http:// or https://.",
    ),
    (
        "settings.bad_format",
        "형식은 json 또는 form 이어야 합니다.",
        "The format must be json or form.",
    ),
    (
        "settings.bad_policy",
        "취소 웹훅 설정이 올바르지 않습니다.",
        "Unknown cancel webhook policy.",
    ),
    // CSV header
    ("csv.imp_uid", "아임포트 번호", "imp_uid"),
    ("csv.merchant_uid", "주문번호", "merchant_uid"),
    ("csv.status", "상태", "status"),
    ("csv.name", "상품명", "name"),
    ("csv.amount", "결제금액", "amount"),
    ("csv.cancel_amount", "취소금액", "cancel_amount"),
    ("csv.currency", "통화", "currency"),
    ("csv.buyer_name", "구매자명", "buyer_name"),
    ("csv.buyer_email", "구매자 이메일", "buyer_email"),
    ("csv.buyer_tel", "구매자 전화번호", "buyer_tel"),
    ("csv.pay_method", "결제수단", "pay_method"),
    ("csv.pg_provider", "PG사", "pg_provider"),
    ("csv.pg_tid", "PG 거래번호", "pg_tid"),
    ("csv.card_name", "카드사", "card_name"),
    ("csv.started_at", "결제요청시각", "started_at"),
    ("csv.paid_at", "결제완료시각", "paid_at"),
    ("csv.cancelled_at", "취소시각", "cancelled_at"),
    ("csv.failed_at", "실패시각", "failed_at"),
    ("csv.cancel_reason", "취소사유", "cancel_reason"),
    ("csv.fail_reason", "실패사유", "fail_reason"),
];

/// The text of `key` in `lang`; an unknown key (a bug the tests catch) shows as `?`.
pub fn t(lang: Lang, key: &str) -> &'static str {
    match TEXTS.iter().find(|(k, _, _)| *k == key) {
        Some((_, ko, en)) => match lang {
            Lang::Ko => ko,
            Lang::En => en,
        },
        None => {
            tracing::error!(key, "console: missing text");
            "?"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every literal key the console's sources use, plus the ones built at run time.
    #[test]
    fn every_key_has_texts() {
        let sources = [
            include_str!("dashboard.rs"),
            include_str!("export.rs"),
            include_str!("layout.rs"),
            include_str!("payments.rs"),
            include_str!("session.rs"),
            include_str!("settings.rs"),
        ];
        let mut keys: Vec<String> = Vec::new();
        for src in sources {
            for part in src
                .split("t(lang, \"")
                .skip(1)
                .chain(src.split("t(l, \"").skip(1))
            {
                if let Some(end) = part.find('"') {
                    keys.push(part[..end].to_owned());
                }
            }
            for part in src.split("\"dashboard.").skip(1) {
                if let Some(end) = part.find('"') {
                    keys.push(format!("dashboard.{}", &part[..end]));
                }
            }
        }
        for s in ["all", "ready", "paid", "cancelled", "failed"] {
            keys.push(format!("status.{s}"));
        }
        for s in ["pending", "delivered", "dead"] {
            keys.push(format!("webhook.{s}"));
        }
        for s in ["dashboard", "payments", "settings"] {
            keys.push(format!("nav.{s}"));
        }
        keys.push("flash.cancelled".into());
        assert!(keys.len() > 80, "{keys:?}");
        for key in keys {
            assert!(
                TEXTS.iter().any(|(k, _, _)| *k == key),
                "missing text for {key}"
            );
        }
        let mut seen = std::collections::HashSet::new();
        for (k, _, _) in TEXTS {
            assert!(seen.insert(k), "duplicate key {k}");
        }
    }
}

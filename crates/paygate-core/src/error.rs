//! Every error a merchant can see, in one table: its HTTP status, its envelope `code` and its
//! message (Korean, as I'mport's). Handlers never invent a status or a message; they pick a
//! row here, optionally with a more precise message.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    // --- request shape ---
    MalformedBody,
    UnsupportedMediaType,
    BodyTooLarge,
    InvalidParameter,
    RouteNotFound,
    MethodNotAllowed,
    // --- authentication ---
    TokenParametersMissing,
    InvalidCredentials,
    Unauthorized,
    TooManyAttempts,
    // --- lookups ---
    PaymentNotFound,
    UnsupportedStatus,
    SomePaymentsNotFound,
    PrepareNotFound,
    // --- business refusals (HTTP 200, code != 0, as I'mport) ---
    CancelTargetNotFound,
    NotCancellable,
    AlreadyCancelled,
    CancelAmountExceedsBalance,
    ChecksumMismatch,
    TaxFreeExceedsAmount,
    CancelInProgress,
    PgRefused,
    PgOutcomeUnknown,
    PrepareAlreadyExists,
    // --- checkout (request_pay) ---
    UnknownMerchant,
    UnsupportedPg,
    UnsupportedPayMethod,
    PreparedAmountMismatch,
    AlreadyPaid,
    PgNotConfigured,
    // --- retries (Idempotency-Key) ---
    InvalidIdempotencyKey,
    IdempotencyKeyReused,
    IdempotencyKeyInProgress,
    // --- ours ---
    StoreUnavailable,
    Internal,
}

impl ErrorCode {
    /// HTTP status, envelope code, default message.
    pub const fn row(self) -> (u16, i32, &'static str) {
        use ErrorCode::*;
        match self {
            MalformedBody => (
                400,
                -1,
                "요청 본문을 해석할 수 없습니다. JSON 또는 form-urlencoded 형식으로 보내주세요.",
            ),
            UnsupportedMediaType => (
                415,
                -1,
                "지원하지 않는 Content-Type 입니다. application/json 또는 application/x-www-form-urlencoded 를 사용해주세요.",
            ),
            BodyTooLarge => (413, -1, "요청 본문이 너무 큽니다."),
            InvalidParameter => (400, -1, "요청 파라메터가 올바르지 않습니다."),
            RouteNotFound => (404, -1, "존재하지 않는 API 입니다."),
            MethodNotAllowed => (405, -1, "허용되지 않는 HTTP 메소드입니다."),
            TokenParametersMissing => (400, -1, "imp_key, imp_secret 파라메터가 누락되었습니다."),
            InvalidCredentials => (401, -1, "imp_key, imp_secret 정보가 올바르지 않습니다."),
            Unauthorized => (401, -1, "Unauthorized"),
            TooManyAttempts => (429, -1, "요청이 너무 많습니다. 잠시 후 다시 시도해주세요."),
            PaymentNotFound => (404, -1, "존재하지 않는 결제정보입니다."),
            UnsupportedStatus => (400, -1, "지원되지 않는 상태값입니다."),
            SomePaymentsNotFound => (207, 0, "일부 결제정보가 존재하지 않습니다."),
            PrepareNotFound => (404, -1, "사전등록된 결제정보가 존재하지 않습니다."),
            CancelTargetNotFound => (200, 1, "취소할 결제건이 존재하지 않습니다."),
            NotCancellable => (200, 1, "결제완료 상태가 아니어서 취소할 수 없습니다."),
            AlreadyCancelled => (200, 1, "이미 전액취소된 주문입니다."),
            CancelAmountExceedsBalance => (200, 1, "취소요청금액이 취소가능잔액을 초과합니다."),
            ChecksumMismatch => (200, 1, "checksum 이 취소가능잔액과 일치하지 않습니다."),
            TaxFreeExceedsAmount => (200, 1, "면세금액이 취소요청금액을 초과합니다."),
            CancelInProgress => (
                200,
                1,
                "같은 결제건의 다른 취소 요청이 처리 중입니다. 잠시 후 다시 시도해주세요.",
            ),
            PgRefused => (200, 1, "PG사가 요청을 거절하였습니다."),
            PgOutcomeUnknown => (
                200,
                1,
                "PG사의 응답을 확인하지 못했습니다. 결과는 조회 API로 확인해주세요.",
            ),
            PrepareAlreadyExists => (
                200,
                1,
                "이미 사전등록된 merchant_uid 입니다. 금액 변경은 PUT 으로 요청해주세요.",
            ),
            UnknownMerchant => (404, -1, "존재하지 않는 가맹점 식별코드입니다."),
            UnsupportedPg => (400, -1, "지원하지 않는 PG사입니다."),
            UnsupportedPayMethod => (400, -1, "카카오페이는 pay_method 'card' 만 지원합니다."),
            PreparedAmountMismatch => (
                400,
                -1,
                "사전 등록된 결제금액과 요청 금액이 일치하지 않습니다.",
            ),
            AlreadyPaid => (400, -1, "이미 결제가 완료된 merchant_uid 입니다."),
            PgNotConfigured => (
                400,
                -1,
                "가맹점에 카카오페이 채널(cid, secret key)이 설정되지 않았습니다.",
            ),
            InvalidIdempotencyKey => (
                400,
                -1,
                "Idempotency-Key 는 1~255자의 출력 가능한 ASCII 문자여야 합니다.",
            ),
            IdempotencyKeyReused => (
                422,
                -1,
                "같은 Idempotency-Key 로 다른 요청이 이미 처리되었습니다. 새 키를 사용해주세요.",
            ),
            IdempotencyKeyInProgress => (
                409,
                -1,
                "같은 Idempotency-Key 의 요청이 아직 처리 중입니다. 잠시 후 다시 시도해주세요.",
            ),
            StoreUnavailable => (
                503,
                -1,
                "일시적으로 서비스를 이용할 수 없습니다. 잠시 후 다시 시도해주세요.",
            ),
            Internal => (500, -1, "내부 오류가 발생하였습니다."),
        }
    }

    pub const fn http_status(self) -> u16 {
        self.row().0
    }
    pub const fn code(self) -> i32 {
        self.row().1
    }
    pub const fn default_message(self) -> &'static str {
        self.row().2
    }
}

/// An error bound for a merchant: a row of the table and the message to show (the row's
/// default, or a more precise one such as "amount 는 정수여야 합니다.").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainError {
    pub code: ErrorCode,
    pub message: String,
}

impl DomainError {
    pub fn new(code: ErrorCode) -> Self {
        DomainError {
            code,
            message: code.default_message().to_owned(),
        }
    }
    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> Self {
        DomainError {
            code,
            message: message.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::with_message(ErrorCode::InvalidParameter, message)
    }
}

impl From<ErrorCode> for DomainError {
    fn from(code: ErrorCode) -> Self {
        DomainError::new(code)
    }
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for DomainError {}

//! Every `GET /payments…` lookup. All are scoped to the token's merchant: another merchant's
//! payment is "not found", exactly like one that does not exist.

use crate::api::present::{payment_json, payment_response};
use crate::http::auth::Authenticated;
use crate::http::error::envelope;
use crate::http::path::Path;
use crate::http::query::Query;
use crate::http::{ApiError, ApiResult, ok};
use crate::openapi::{ErrorEnvelope, PagedEnvelope, PaymentEnvelope, PaymentListEnvelope};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use paygate_core::ErrorCode;
use paygate_core::payment::{Sorting, StatusFilter};
use paygate_store::{Page, PageQuery};
use serde_json::{Value, json};

/// At most this many ids (imp_uid and merchant_uid together) in one multi lookup.
const MULTI_IDS_MAX: usize = 100;
const DEFAULT_LIMIT: i64 = 20;
const LIMIT_MAX: i64 = 1000;
/// The status lookup's window: at most 90 days, and 90 days back by default.
const WINDOW_MAX_SECS: i64 = 90 * 24 * 3600;

fn parse_status(s: &str) -> ApiResult<StatusFilter> {
    StatusFilter::parse(s).ok_or_else(|| ErrorCode::UnsupportedStatus.into())
}

fn parse_sorting(q: &Query) -> ApiResult<Sorting> {
    Sorting::parse(q.get("sorting").unwrap_or("")).ok_or_else(|| {
        ApiError::invalid(
            "sorting 은 -started, started, -paid, paid, -updated, updated 중 하나여야 합니다.",
        )
    })
}

fn paging(q: &Query) -> ApiResult<(i64, i64)> {
    let page = q.int("page")?.unwrap_or(1);
    if page < 1 {
        return Err(ApiError::invalid("page 는 1 이상이어야 합니다."));
    }
    let limit = q.int("limit")?.unwrap_or(DEFAULT_LIMIT);
    if !(1..=LIMIT_MAX).contains(&limit) {
        return Err(ApiError::invalid("limit 은 1 이상 1000 이하여야 합니다."));
    }
    Ok((page, limit))
}

fn paged_json(page: &Page, number: i64, limit: i64) -> Value {
    let previous = if number > 1 { number - 1 } else { 0 };
    let next = if number.saturating_mul(limit) < page.total {
        number + 1
    } else {
        0
    };
    json!({
        "total": page.total,
        "previous": previous,
        "next": next,
        "list": page.list.iter().map(payment_json).collect::<Vec<_>>(),
    })
}

#[utoipa::path(get, path = "/payments/{imp_uid}", tag = "payments", params(("imp_uid" = String, Path)), security(("token" = [])), responses((status = 200, body = PaymentEnvelope), (status = 404, body = ErrorEnvelope), (status = 400, body = ErrorEnvelope, description = "Invalid parameters"), (status = 401, body = ErrorEnvelope, description = "Missing, expired or unknown token"), (status = 503, body = ErrorEnvelope, description = "Database unavailable")))]
pub async fn single(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(imp_uid): Path<String>,
) -> ApiResult<Response> {
    let payment = state
        .store
        .payment(auth.merchant_code.as_str(), &imp_uid)
        .await?;
    let payment = payment.ok_or(ErrorCode::PaymentNotFound)?;
    Ok(payment_response(&payment))
}

/// `GET /payments?imp_uid[]=…&merchant_uid[]=…`: 200 when all were found, 207 when only
/// some (the found ones are listed), 404 when none.
#[utoipa::path(get, path = "/payments", tag = "payments", params(("imp_uid[]" = Option<Vec<String>>, Query, style = Form, explode), ("merchant_uid[]" = Option<Vec<String>>, Query, style = Form, explode)), security(("token" = [])), responses((status = 200, body = PaymentListEnvelope), (status = 207, body = PaymentListEnvelope, description = "Some were not found"), (status = 404, body = ErrorEnvelope), (status = 400, body = ErrorEnvelope, description = "Invalid parameters"), (status = 401, body = ErrorEnvelope, description = "Missing, expired or unknown token"), (status = 503, body = ErrorEnvelope, description = "Database unavailable")))]
pub async fn multiple(
    State(state): State<AppState>,
    auth: Authenticated,
    query: Query,
) -> ApiResult<Response> {
    let imp_uids = query.all("imp_uid");
    let merchant_uids = query.all("merchant_uid");
    let asked = imp_uids.len() + merchant_uids.len();
    if asked == 0 {
        return Err(ApiError::invalid(
            "imp_uid[] 또는 merchant_uid[] 를 하나 이상 지정해주세요.",
        ));
    }
    if asked > MULTI_IDS_MAX {
        return Err(ApiError::invalid(
            "imp_uid[] 와 merchant_uid[] 는 합해서 100개까지 조회할 수 있습니다.",
        ));
    }
    let found = state
        .store
        .payments_by_ids(auth.merchant_code.as_str(), &imp_uids, &merchant_uids)
        .await?;
    if found.is_empty() {
        return Err(ErrorCode::PaymentNotFound.into());
    }
    let list: Vec<Value> = found.iter().map(payment_json).collect();
    if found.len() < asked {
        let (status, code, message) = ErrorCode::SomePaymentsNotFound.row();
        return Ok(envelope(status, code, Some(message), Value::Array(list)));
    }
    Ok(ok(list))
}

async fn first_of(
    state: &AppState,
    auth: &Authenticated,
    merchant_uid: &str,
    status: StatusFilter,
    query: &Query,
) -> ApiResult<Response> {
    let page = state
        .store
        .payments_page(&PageQuery {
            merchant_code: auth.merchant_code.as_str(),
            merchant_uid: Some(merchant_uid),
            status,
            window: None,
            sorting: parse_sorting(query)?,
            page: 1,
            limit: 1,
        })
        .await?;
    let payment = page.list.first().ok_or(ErrorCode::PaymentNotFound)?;
    Ok(payment_response(payment))
}

#[utoipa::path(get, path = "/payments/find/{merchant_uid}", tag = "payments", params(("merchant_uid" = String, Path), ("sorting" = Option<String>, Query)), security(("token" = [])), responses((status = 200, body = PaymentEnvelope), (status = 404, body = ErrorEnvelope), (status = 400, body = ErrorEnvelope, description = "Invalid parameters"), (status = 401, body = ErrorEnvelope, description = "Missing, expired or unknown token"), (status = 503, body = ErrorEnvelope, description = "Database unavailable")))]
pub async fn find(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(merchant_uid): Path<String>,
    query: Query,
) -> ApiResult<Response> {
    first_of(&state, &auth, &merchant_uid, StatusFilter::All, &query).await
}

#[utoipa::path(get, path = "/payments/find/{merchant_uid}/{status}", tag = "payments", params(("merchant_uid" = String, Path), ("status" = String, Path), ("sorting" = Option<String>, Query)), security(("token" = [])), responses((status = 200, body = PaymentEnvelope), (status = 404, body = ErrorEnvelope), (status = 400, body = ErrorEnvelope, description = "Invalid parameters"), (status = 401, body = ErrorEnvelope, description = "Missing, expired or unknown token"), (status = 503, body = ErrorEnvelope, description = "Database unavailable")))]
pub async fn find_with_status(
    State(state): State<AppState>,
    auth: Authenticated,
    Path((merchant_uid, status)): Path<(String, String)>,
    query: Query,
) -> ApiResult<Response> {
    first_of(&state, &auth, &merchant_uid, parse_status(&status)?, &query).await
}

async fn all_of(
    state: &AppState,
    auth: &Authenticated,
    merchant_uid: &str,
    status: StatusFilter,
    query: &Query,
) -> ApiResult<Response> {
    let (number, limit) = paging(query)?;
    let page = state
        .store
        .payments_page(&PageQuery {
            merchant_code: auth.merchant_code.as_str(),
            merchant_uid: Some(merchant_uid),
            status,
            window: None,
            sorting: parse_sorting(query)?,
            page: number,
            limit,
        })
        .await?;
    if page.total == 0 {
        return Err(ErrorCode::PaymentNotFound.into());
    }
    Ok(ok(paged_json(&page, number, limit)))
}

#[utoipa::path(get, path = "/payments/findAll/{merchant_uid}", tag = "payments", params(("merchant_uid" = String, Path), ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query), ("sorting" = Option<String>, Query)), security(("token" = [])), responses((status = 200, body = PagedEnvelope), (status = 404, body = ErrorEnvelope), (status = 400, body = ErrorEnvelope, description = "Invalid parameters"), (status = 401, body = ErrorEnvelope, description = "Missing, expired or unknown token"), (status = 503, body = ErrorEnvelope, description = "Database unavailable")))]
pub async fn find_all(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(merchant_uid): Path<String>,
    query: Query,
) -> ApiResult<Response> {
    all_of(&state, &auth, &merchant_uid, StatusFilter::All, &query).await
}

#[utoipa::path(get, path = "/payments/findAll/{merchant_uid}/{status}", tag = "payments", params(("merchant_uid" = String, Path), ("status" = String, Path), ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query), ("sorting" = Option<String>, Query)), security(("token" = [])), responses((status = 200, body = PagedEnvelope), (status = 404, body = ErrorEnvelope), (status = 400, body = ErrorEnvelope, description = "Invalid parameters"), (status = 401, body = ErrorEnvelope, description = "Missing, expired or unknown token"), (status = 503, body = ErrorEnvelope, description = "Database unavailable")))]
pub async fn find_all_with_status(
    State(state): State<AppState>,
    auth: Authenticated,
    Path((merchant_uid, status)): Path<(String, String)>,
    query: Query,
) -> ApiResult<Response> {
    all_of(&state, &auth, &merchant_uid, parse_status(&status)?, &query).await
}

/// `GET /payments/status/{status}?page&limit&from&to&sorting`.
#[utoipa::path(get, path = "/payments/status/{status}", tag = "payments", params(("status" = String, Path, description = "all, ready, paid, cancelled or failed"), ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query), ("from" = Option<i64>, Query), ("to" = Option<i64>, Query), ("sorting" = Option<String>, Query)), security(("token" = [])), responses((status = 200, body = PagedEnvelope), (status = 400, body = ErrorEnvelope, description = "Invalid parameters"), (status = 401, body = ErrorEnvelope, description = "Missing, expired or unknown token"), (status = 503, body = ErrorEnvelope, description = "Database unavailable")))]
pub async fn by_status(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(status): Path<String>,
    query: Query,
) -> ApiResult<Response> {
    let status = parse_status(&status)?;
    let (number, limit) = paging(&query)?;
    let to = query.int("to")?.unwrap_or_else(|| state.now());
    let from = query.int("from")?.unwrap_or(to - WINDOW_MAX_SECS);
    if from > to {
        return Err(ApiError::invalid("from 은 to 보다 클 수 없습니다."));
    }
    if to - from > WINDOW_MAX_SECS {
        return Err(ApiError::invalid("조회 기간(from ~ to)은 최대 90일입니다."));
    }
    let page = state
        .store
        .payments_page(&PageQuery {
            merchant_code: auth.merchant_code.as_str(),
            merchant_uid: None,
            status,
            window: Some((from, to)),
            sorting: parse_sorting(&query)?,
            page: number,
            limit,
        })
        .await?;
    Ok(ok(paged_json(&page, number, limit)))
}

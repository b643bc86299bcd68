//! The OpenAPI 3.1 document of the REST and checkout API, served at `/openapi.json`. Paths
//! come from the `#[utoipa::path]` attributes on the handlers themselves; response bodies from
//! the types the handlers serialize (`PaymentView`) or, where a handler builds its answer with
//! `json!`, from the shapes below. `scripts/fuzz-api.sh` (schemathesis, in the test command) checks
//! real answers against this document.

use crate::api::present::{CancelHistoryView, PaymentView};
use axum::Json;
use axum::response::IntoResponse;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// Money as clients send it: an integer, or a string of digits (form bodies).
pub struct AmountInput;

impl utoipa::PartialSchema for AmountInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0))
                    .maximum(Some(paygate_core::amount::MAX_AMOUNT)),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^[0-9]{1,10}$")),
            )
            .into()
    }
}

impl ToSchema for AmountInput {}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TokenRequest {
    pub imp_key: String,
    pub imp_secret: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CancelBody {
    pub imp_uid: Option<String>,
    pub merchant_uid: Option<String>,
    /// Missing or 0: cancel what is left.
    pub amount: Option<AmountInput>,
    pub tax_free: Option<AmountInput>,
    pub vat_amount: Option<AmountInput>,
    /// The cancellable balance the merchant believes is left.
    pub checksum: Option<AmountInput>,
    pub reason: Option<String>,
    pub refund_holder: Option<String>,
    pub refund_bank: Option<String>,
    pub refund_account: Option<String>,
    pub refund_tel: Option<String>,
    pub enable_webhook: Option<bool>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PrepareBody {
    pub merchant_uid: String,
    pub amount: AmountInput,
}

/// `IMP.request_pay` parameters (see the SDK's `index.d.ts`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RequestPayParams {
    pub pg: Option<String>,
    pub pay_method: Option<String>,
    pub merchant_uid: String,
    pub name: Option<String>,
    pub amount: AmountInput,
    pub tax_free: Option<AmountInput>,
    pub vat_amount: Option<AmountInput>,
    pub currency: Option<String>,
    pub language: Option<String>,
    pub buyer_name: Option<String>,
    pub buyer_tel: Option<String>,
    pub buyer_email: Option<String>,
    pub buyer_addr: Option<String>,
    pub buyer_postcode: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub custom_data: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub notice_url: Option<serde_json::Value>,
    pub m_redirect_url: Option<String>,
    pub app_scheme: Option<String>,
    #[serde(rename = "kakaoOpenApp")]
    pub kakao_open_app: Option<bool>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CheckoutBody {
    pub imp_code: String,
    pub params: RequestPayParams,
    /// `pc` (default) or `mobile`.
    pub channel: Option<String>,
    /// `overlay` when the SDK opened the window over the merchant's page.
    pub mode: Option<String>,
}

/// Any refusal: `code` != 0, a Korean `message`, `response` null (the checkout's refusals
/// carry `{"imp_uid": …}`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorEnvelope {
    pub code: i64,
    pub message: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub response: Option<serde_json::Value>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PaymentEnvelope<'a> {
    pub code: i64,
    pub message: Option<String>,
    pub response: PaymentView<'a>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PaymentListEnvelope<'a> {
    pub code: i64,
    pub message: Option<String>,
    pub response: Vec<PaymentView<'a>>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PagedPayments<'a> {
    pub total: i64,
    /// 0 when there is none.
    pub previous: i64,
    /// 0 when there is none.
    pub next: i64,
    pub list: Vec<PaymentView<'a>>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PagedEnvelope<'a> {
    pub code: i64,
    pub message: Option<String>,
    pub response: PagedPayments<'a>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Token {
    pub access_token: String,
    pub now: i64,
    pub expired_at: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TokenEnvelope {
    pub code: i64,
    pub message: Option<String>,
    pub response: Token,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Prepared {
    pub merchant_uid: String,
    pub amount: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PreparedEnvelope {
    pub code: i64,
    pub message: Option<String>,
    pub response: Prepared,
}

/// Success (`code` 0) with a JSON object whose shape the operation describes.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ObjectEnvelope {
    pub code: i64,
    pub message: Option<String>,
    #[schema(value_type = Object)]
    pub response: serde_json::Value,
}

/// Success with a list of JSON objects (the webhook delivery log).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ObjectListEnvelope {
    pub code: i64,
    pub message: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub response: Vec<serde_json::Value>,
}

/// I'mport answers business refusals with HTTP 200 too (code != 0, response null): the 200
/// answer of a state-changing operation is either envelope (`anyOf`: a refusal whose response
/// is an object, like the checkout's `{"imp_uid": …}`, may match both).
fn success_or_refusal<T: ToSchema>() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::Ref;
    use utoipa::openapi::schema::AnyOfBuilder;
    AnyOfBuilder::new()
        .item(Ref::from_schema_name(T::name()))
        .item(Ref::from_schema_name(ErrorEnvelope::name()))
        .into()
}

macro_rules! or_refusal {
    ($name:ident, $success:ty) => {
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                success_or_refusal::<$success>()
            }
        }
        impl ToSchema for $name {
            fn schemas(
                schemas: &mut Vec<(
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
                )>,
            ) {
                schemas.push((
                    <$success>::name().into_owned(),
                    <$success as utoipa::PartialSchema>::schema(),
                ));
                <$success as ToSchema>::schemas(schemas);
                schemas.push((
                    ErrorEnvelope::name().into_owned(),
                    <ErrorEnvelope as utoipa::PartialSchema>::schema(),
                ));
            }
        }
    };
}

or_refusal!(PaymentOrRefusal, PaymentEnvelope<'static>);
or_refusal!(PreparedOrRefusal, PreparedEnvelope);
or_refusal!(ObjectOrRefusal, ObjectEnvelope);

struct TokenAuth;

impl Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "The access token from /users/getToken: raw, or `Bearer <token>` (X-ImpTokenHeader works too)",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "paygate", description = "I'mport V1 compatible payment API (KakaoPay) and the checkout the browser SDK calls. Every answer is the envelope {code, message, response}."),
    paths(
        crate::api::token::get_token,
        crate::api::lookup::single,
        crate::api::lookup::multiple,
        crate::api::lookup::find,
        crate::api::lookup::find_with_status,
        crate::api::lookup::find_all,
        crate::api::lookup::find_all_with_status,
        crate::api::lookup::by_status,
        crate::api::cancel::cancel,
        crate::api::prepare::create,
        crate::api::prepare::update,
        crate::api::prepare::show,
        crate::checkout::start::start,
        crate::checkout::buyer::status,
        crate::checkout::buyer::close,
        crate::webhooks::api::log,
        crate::webhooks::api::resend,
    ),
    components(schemas(PaymentView, CancelHistoryView, ErrorEnvelope, AmountInput)),
    modifiers(&TokenAuth)
)]
pub struct ApiDoc;

pub async fn openapi_json() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

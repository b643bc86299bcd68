// Types of paygate's browser SDK (`/v1/iamport.js`), the I'mport V1 `IMP` global.
// Served at `/v1/iamport.d.ts`. Shapes follow I'mport V1 (see the `iamport-typings` package).

declare namespace IMP {
  /** `kakaopay`, `kakaopay.{cid}`, or legacy `kakao`; omitted = the merchant's default PG. */
  type Pg = "kakaopay" | "kakao" | `kakaopay.${string}` | (string & {});

  /** KakaoPay through paygate is card-only. */
  type PayMethod = "card";

  type Language = "ko" | "en" | "zh";

  type PaymentStatus = "ready" | "paid" | "cancelled" | "failed";

  interface RequestPayParams {
    pg?: Pg;
    /** Defaults to `card`, the only method KakaoPay offers. */
    pay_method?: PayMethod;
    /** The merchant's order id (required, at most 40 characters). */
    merchant_uid: string;
    /** Order name shown to the buyer (at most 40 characters). */
    name?: string;
    /** Amount in won (a whole number). */
    amount: number;
    tax_free?: number;
    vat_amount?: number;
    /** Only `KRW`. */
    currency?: "KRW";
    language?: Language;
    buyer_name?: string;
    buyer_tel?: string;
    buyer_email?: string;
    buyer_addr?: string;
    buyer_postcode?: string;
    /** Any JSON; stored as a JSON string and returned parsed in `rsp.custom_data`. */
    custom_data?: unknown;
    /** Webhook URL(s) for this payment; replaces the merchant's default. */
    notice_url?: string | string[];
    /** Where the top window goes at the end when no callback is given. */
    m_redirect_url?: string;
    /** An app WebView's URL scheme (`myapp` or `myapp://path?x=y`): KakaoTalk returns there. */
    app_scheme?: string;
    /** iOS: ask the buyer (a tap) before opening KakaoTalk. */
    kakaoOpenApp?: boolean;
  }

  interface RequestPayResponse {
    success: boolean;
    /** Same as `success`. */
    imp_success: boolean;
    error_code: string | null;
    error_msg: string | null;
    /** `null` when the request failed before a payment existed. */
    imp_uid: string | null;
    merchant_uid: string | null;
    pay_method?: string | null;
    paid_amount?: number;
    status?: PaymentStatus | "approving" | null;
    name?: string | null;
    pg_provider?: string | null;
    emb_pg_provider?: string | null;
    pg_tid?: string | null;
    buyer_name?: string | null;
    buyer_email?: string | null;
    buyer_tel?: string | null;
    buyer_addr?: string | null;
    buyer_postcode?: string | null;
    custom_data?: unknown;
    /** Unix seconds; 0 when not paid. */
    paid_at?: number;
    receipt_url?: string | null;
    apply_num?: string | null;
    card_name?: string | null;
    /** Masked. */
    card_number?: string | null;
    card_quota?: number | null;
    currency?: string | null;
    pg_type?: "payment";
  }

  type RequestPayCallback = (rsp: RequestPayResponse) => void;

  interface CommunicateMessage {
    /** `process`: back from KakaoTalk, continue; `cancel`: the buyer gave up. */
    result: "process" | "cancel";
  }

  interface Iamport {
    /** The merchant code (`imp` + 8 digits). Public. */
    init(code: string): void;
    /**
     * Opens the payment window over the page. The outcome goes to `callback`; without one,
     * the top window is sent to `m_redirect_url?imp_uid=…&merchant_uid=…&imp_success=…`.
     */
    request_pay(params: RequestPayParams, callback?: RequestPayCallback): void;
    /** Called by an app's WebView after the buyer returns from KakaoTalk. */
    communicate(message: CommunicateMessage): void;
  }
}

declare var IMP: IMP.Iamport;

interface Window {
  IMP: IMP.Iamport;
}

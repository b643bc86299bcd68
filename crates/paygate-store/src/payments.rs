//! Writing new payments and every way of reading them back. Reads are always scoped to one
//! merchant: another merchant's imp_uid is simply not found.

use crate::rows::{PAYMENT_COLUMNS, cancel_from_row, payment_from_row};
use crate::{Result, Store};
use paygate_core::payment::{Sorting, StatusFilter};
use paygate_core::{Payment, PaymentStatus};
use std::collections::HashMap;

/// The most rows one paged query may return (I'mport's `limit` maximum).
pub const PAGE_LIMIT_MAX: i64 = 1000;

#[derive(Debug, Clone)]
pub struct PageQuery<'a> {
    pub merchant_code: &'a str,
    pub merchant_uid: Option<&'a str>,
    pub status: StatusFilter,
    /// Inclusive window on the status's own time column (`started_at` for ready/all,
    /// `paid_at`, `cancelled_at`, `failed_at`).
    pub window: Option<(i64, i64)>,
    pub sorting: Sorting,
    /// 1-based.
    pub page: i64,
    pub limit: i64,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub total: i64,
    pub list: Vec<Payment>,
}

fn status_condition(filter: StatusFilter) -> &'static str {
    match filter {
        StatusFilter::All => "1 = 1",
        StatusFilter::Only(PaymentStatus::Ready | PaymentStatus::Approving) => {
            "status IN ('ready', 'approving')"
        }
        StatusFilter::Only(PaymentStatus::Paid) => "status = 'paid'",
        StatusFilter::Only(PaymentStatus::Cancelled) => "status = 'cancelled'",
        StatusFilter::Only(PaymentStatus::Failed) => "status = 'failed'",
    }
}

fn time_column(filter: StatusFilter) -> &'static str {
    match filter {
        StatusFilter::Only(PaymentStatus::Paid) => "paid_at",
        StatusFilter::Only(PaymentStatus::Cancelled) => "cancelled_at",
        StatusFilter::Only(PaymentStatus::Failed) => "failed_at",
        _ => "started_at",
    }
}

fn order_by(sorting: Sorting) -> &'static str {
    match sorting {
        Sorting::StartedDesc => "started_at DESC, imp_uid DESC",
        Sorting::StartedAsc => "started_at ASC, imp_uid ASC",
        Sorting::PaidDesc => "paid_at DESC, imp_uid DESC",
        Sorting::PaidAsc => "paid_at ASC, imp_uid ASC",
        Sorting::UpdatedDesc => "updated_at DESC, imp_uid DESC",
        Sorting::UpdatedAsc => "updated_at ASC, imp_uid ASC",
    }
}

impl Store {
    pub async fn insert_payment(&self, p: &Payment) -> Result<()> {
        let placeholders: Vec<String> = (1..=49).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO payments ({PAYMENT_COLUMNS}) VALUES ({})",
            placeholders.join(", ")
        );
        sqlx::query(&sql)
            .bind(p.imp_uid.as_str())
            .bind(p.merchant_code.as_str())
            .bind(p.merchant_uid.as_str())
            .bind(p.status.as_db())
            .bind(p.version)
            .bind(&p.pay_method)
            .bind(&p.channel)
            .bind(&p.pg_provider)
            .bind(&p.pg_tid)
            .bind(&p.pg_id)
            .bind(i64::from(p.sandbox))
            .bind(&p.apply_num)
            .bind(&p.card.card_code)
            .bind(&p.card.card_name)
            .bind(&p.card.issuer_code)
            .bind(&p.card.issuer_name)
            .bind(&p.card.publisher_code)
            .bind(&p.card.publisher_name)
            .bind(p.card.quota)
            .bind(&p.card.number)
            .bind(p.card.card_type)
            .bind(&p.name)
            .bind(p.amount.won())
            .bind(p.tax_free.won())
            .bind(p.vat_amount.map(|a| a.won()))
            .bind(p.cancel_amount.won())
            .bind(p.cancel_tax_free.won())
            .bind(p.cancel_pending.won())
            .bind(&p.currency)
            .bind(&p.buyer.name)
            .bind(&p.buyer.email)
            .bind(&p.buyer.tel)
            .bind(&p.buyer.addr)
            .bind(&p.buyer.postcode)
            .bind(&p.custom_data)
            .bind(&p.user_agent)
            .bind(p.started_at)
            .bind(p.paid_at)
            .bind(p.failed_at)
            .bind(p.cancelled_at)
            .bind(p.updated_at)
            .bind(&p.fail_reason)
            .bind(&p.cancel_reason)
            .bind(&p.receipt_url)
            .bind(&p.notice_url)
            .bind(&p.m_redirect_url)
            .bind(&p.app_scheme)
            .bind(&p.language)
            .bind(&p.window_mode)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// One payment of one merchant, with its cancel history.
    pub async fn payment(&self, merchant_code: &str, imp_uid: &str) -> Result<Option<Payment>> {
        let found = match &self.sqlite_reads {
            Some(reads) => reads.payment(merchant_code, imp_uid)?,
            None => {
                let sql = format!(
                    "SELECT {PAYMENT_COLUMNS} FROM payments WHERE imp_uid = $1 AND merchant_code = $2"
                );
                let row = sqlx::query(&sql)
                    .bind(imp_uid)
                    .bind(merchant_code)
                    .fetch_optional(self.pool())
                    .await?;
                row.as_ref().map(payment_from_row).transpose()?
            }
        };
        self.with_cancel_history(found).await
    }

    /// A payment by imp_uid whoever owns it: for the checkout's own callbacks, which are
    /// addressed by imp_uid, never for the REST API.
    pub async fn payment_unscoped(&self, imp_uid: &str) -> Result<Option<Payment>> {
        let sql = format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE imp_uid = $1");
        let row = sqlx::query(&sql)
            .bind(imp_uid)
            .fetch_optional(self.pool())
            .await?;
        let found = row.as_ref().map(payment_from_row).transpose()?;
        self.with_cancel_history(found).await
    }

    async fn with_cancel_history(&self, found: Option<Payment>) -> Result<Option<Payment>> {
        let Some(payment) = found else {
            return Ok(None);
        };
        let mut list = [payment];
        self.attach_cancel_history(&mut list).await?;
        let [payment] = list;
        Ok(Some(payment))
    }

    /// `GET /payments?imp_uid[]=…&merchant_uid[]=…`: every found payment, in request order
    /// (imp_uids first). For a merchant_uid, its most recent payment.
    pub async fn payments_by_ids(
        &self,
        merchant_code: &str,
        imp_uids: &[String],
        merchant_uids: &[String],
    ) -> Result<Vec<Payment>> {
        let mut found = Vec::new();
        for imp_uid in imp_uids {
            if let Some(p) = self.payment(merchant_code, imp_uid).await? {
                found.push(p);
            }
        }
        for merchant_uid in merchant_uids {
            let page = self
                .payments_page(&PageQuery {
                    merchant_code,
                    merchant_uid: Some(merchant_uid),
                    status: StatusFilter::All,
                    window: None,
                    sorting: Sorting::StartedDesc,
                    page: 1,
                    limit: 1,
                })
                .await?;
            found.extend(page.list);
        }
        Ok(found)
    }

    pub async fn payments_page(&self, q: &PageQuery<'_>) -> Result<Page> {
        let limit = q.limit.clamp(1, PAGE_LIMIT_MAX);
        let offset = (q.page.max(1) - 1).saturating_mul(limit);
        let mut conditions = vec![
            "merchant_code = $1".to_owned(),
            status_condition(q.status).to_owned(),
        ];
        let mut next_param = 2;
        if q.merchant_uid.is_some() {
            conditions.push(format!("merchant_uid = ${next_param}"));
            next_param += 1;
        }
        if q.window.is_some() {
            let col = time_column(q.status);
            conditions.push(format!(
                "{col} >= ${next_param} AND {col} <= ${}",
                next_param + 1
            ));
            next_param += 2;
        }
        let where_clause = conditions.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) FROM payments WHERE {where_clause}");
        let list_sql = format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments WHERE {where_clause} ORDER BY {} LIMIT ${next_param} OFFSET ${}",
            order_by(q.sorting),
            next_param + 1
        );

        let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(q.merchant_code);
        let mut list = sqlx::query(&list_sql).bind(q.merchant_code);
        if let Some(uid) = q.merchant_uid {
            count = count.bind(uid);
            list = list.bind(uid);
        }
        if let Some((from, to)) = q.window {
            count = count.bind(from).bind(to);
            list = list.bind(from).bind(to);
        }
        let total = count.fetch_one(self.pool()).await?;
        let rows = list.bind(limit).bind(offset).fetch_all(self.pool()).await?;
        let mut payments = rows
            .iter()
            .map(payment_from_row)
            .collect::<Result<Vec<_>>>()?;
        self.attach_cancel_history(&mut payments).await?;
        Ok(Page {
            total,
            list: payments,
        })
    }

    async fn attach_cancel_history(&self, payments: &mut [Payment]) -> Result<()> {
        // Only payments that were ever cancelled have history; skip the query otherwise.
        let ids: Vec<&str> = payments
            .iter()
            .filter(|p| !p.cancel_amount.is_zero())
            .map(|p| p.imp_uid.as_str())
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        let params: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT imp_uid, cancellation_id, pg_tid, amount, tax_free, vat_amount, reason, cancelled_at, receipt_url \
             FROM payment_cancels WHERE imp_uid IN ({}) ORDER BY imp_uid, seq",
            params.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for id in &ids {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut by_payment: HashMap<String, Vec<_>> = HashMap::new();
        for row in &rows {
            let (imp_uid, record) = cancel_from_row(row)?;
            by_payment.entry(imp_uid).or_default().push(record);
        }
        for p in payments.iter_mut() {
            if let Some(history) = by_payment.remove(p.imp_uid.as_str()) {
                p.cancel_history = history;
            }
        }
        Ok(())
    }

    /// Whether this merchant_uid has already been charged (paid, or paid then cancelled).
    pub async fn merchant_uid_charged(
        &self,
        merchant_code: &str,
        merchant_uid: &str,
    ) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM payments WHERE merchant_code = $1 AND merchant_uid = $2 \
             AND status IN ('approving', 'paid', 'cancelled')",
        )
        .bind(merchant_code)
        .bind(merchant_uid)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }

    /// Payments whose outcome is not settled: `approving` (any age) and `ready` started
    /// before `ready_before`. Reconciliation asks the PG about each.
    pub async fn unsettled_payments(
        &self,
        ready_before: i64,
        approving_before: i64,
        limit: i64,
    ) -> Result<Vec<Payment>> {
        // Three narrow queries, each served by its own index (an OR of the three would scan
        // the whole table on SQLite, every reconciliation round).
        let limit = limit.clamp(1, PAGE_LIMIT_MAX);
        let queries = [
            ("status = 'ready' AND started_at < $1", ready_before),
            ("status = 'approving' AND updated_at < $1", approving_before),
            ("cancel_pending > 0 AND updated_at < $1", approving_before),
        ];
        let mut found = Vec::new();
        for (condition, before) in queries {
            let sql = format!(
                "SELECT {PAYMENT_COLUMNS} FROM payments WHERE {condition} ORDER BY started_at LIMIT $2"
            );
            let rows = sqlx::query(&sql)
                .bind(before)
                .bind(limit)
                .fetch_all(self.pool())
                .await?;
            for row in &rows {
                found.push(payment_from_row(row)?);
            }
        }
        Ok(found)
    }
}

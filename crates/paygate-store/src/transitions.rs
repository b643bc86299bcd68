//! Every state change of a payment, each one a compare-and-set: the `UPDATE` names the state
//! (and where it matters the `version`) it expects, and a change that finds the row moved on
//! changes nothing. Two racing approvals or cancels can therefore never both win.

use crate::rows::{PAYMENT_COLUMNS, payment_from_row};
use crate::webhooks::{NewDelivery, insert_deliveries};
use crate::{Result, Store, StoreError};
use paygate_core::pg::Approval;
use paygate_core::{Amount, CancelRecord, Payment};
use sqlx::Row;

#[derive(Debug)]
pub enum ApprovalClaim {
    /// This caller owns the approval: it, and only it, calls the PG.
    Claimed(Box<Payment>),
    /// Another payment of the same merchant_uid is already approving, paid or cancelled.
    OrderAlreadyCharged,
    /// The payment is no longer `ready` (someone else claimed it, or it failed).
    NotReady,
}

#[derive(Debug)]
pub enum CancelClaim {
    /// The amount is reserved on the payment; this caller calls the PG.
    Claimed(Box<Payment>),
    /// The payment changed since it was read (another cancel, or one in flight).
    Lost,
}

impl Store {
    /// Records the PG's transaction id after a successful `ready`.
    pub async fn set_pg_tid(&self, imp_uid: &str, tid: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE payments SET pg_tid = $2, updated_at = $3, version = version + 1 \
             WHERE imp_uid = $1 AND status = 'ready' AND pg_tid IS NULL",
        )
        .bind(imp_uid)
        .bind(tid)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// ready → approving, remembering the pg_token it is approved with (`None` when the
    /// approval is known to have happened at the PG already, e.g. found by reconciliation).
    pub async fn claim_approval(
        &self,
        imp_uid: &str,
        pg_token: Option<&str>,
        now: i64,
    ) -> Result<ApprovalClaim> {
        let sql = format!(
            "UPDATE payments SET status = 'approving', version = version + 1, updated_at = $2, pg_token = $3 \
             WHERE imp_uid = $1 AND status = 'ready' RETURNING {PAYMENT_COLUMNS}"
        );
        match sqlx::query(&sql)
            .bind(imp_uid)
            .bind(now)
            .bind(pg_token)
            .fetch_optional(self.pool())
            .await
        {
            Ok(Some(row)) => Ok(ApprovalClaim::Claimed(Box::new(payment_from_row(&row)?))),
            Ok(None) => Ok(ApprovalClaim::NotReady),
            Err(e) => match StoreError::from(e) {
                StoreError::Conflict(_) => Ok(ApprovalClaim::OrderAlreadyCharged),
                other => Err(other),
            },
        }
    }

    /// approving → paid, with what the PG reported. `None` when the payment was not
    /// `approving` (already settled by someone else).
    pub async fn mark_paid(
        &self,
        imp_uid: &str,
        approval: &Approval,
        receipt_url: Option<&str>,
        webhooks: &[NewDelivery],
        now: i64,
    ) -> Result<Option<Payment>> {
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "UPDATE payments SET status = 'paid', version = version + 1, updated_at = $2, \
             paid_at = $3, pg_tid = $4, apply_num = $5, card_code = $6, card_name = $7, \
             card_issuer_code = $8, card_issuer_name = $9, card_publisher_code = $10, \
             card_publisher_name = $11, card_quota = $12, card_number = $13, card_type = $14, \
             receipt_url = $15 \
             WHERE imp_uid = $1 AND status = 'approving' RETURNING {PAYMENT_COLUMNS}"
        );
        let card = &approval.card;
        let row = sqlx::query(&sql)
            .bind(imp_uid)
            .bind(now)
            // paid_at is the gateway's own time of recording, like started_at and failed_at,
            // so every timestamp of a payment comes from one clock (KakaoPay's approved_at can
            // differ by seconds, and would let a fresh payment fall outside "up to now").
            .bind(now)
            .bind(&approval.tid)
            .bind(&approval.approval_number)
            .bind(&card.card_code)
            .bind(&card.card_name)
            .bind(&card.issuer_code)
            .bind(&card.issuer_name)
            .bind(&card.publisher_code)
            .bind(&card.publisher_name)
            .bind(card.quota)
            .bind(&card.number)
            .bind(card.card_type)
            .bind(receipt_url)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let payment = payment_from_row(&row)?;
        insert_deliveries(&mut tx, webhooks, now).await?;
        tx.commit().await?;
        Ok(Some(payment))
    }

    /// ready|approving → failed. `None` when the payment was in neither state.
    pub async fn mark_failed(
        &self,
        imp_uid: &str,
        reason: &str,
        now: i64,
    ) -> Result<Option<Payment>> {
        let sql = format!(
            "UPDATE payments SET status = 'failed', version = version + 1, updated_at = $2, \
             failed_at = $2, fail_reason = $3 \
             WHERE imp_uid = $1 AND status IN ('ready', 'approving') RETURNING {PAYMENT_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(imp_uid)
            .bind(now)
            .bind(reason)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(payment_from_row).transpose()
    }

    /// ready → failed, only from `ready` (a buyer closing the window must never fail a
    /// payment whose approval is already under way).
    pub async fn fail_if_ready(&self, imp_uid: &str, reason: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE payments SET status = 'failed', version = version + 1, updated_at = $2, \
             failed_at = $2, fail_reason = $3 WHERE imp_uid = $1 AND status = 'ready'",
        )
        .bind(imp_uid)
        .bind(now)
        .bind(reason)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The pg_token an `approving` payment was claimed with.
    pub async fn claimed_pg_token(&self, imp_uid: &str) -> Result<Option<String>> {
        let token: Option<Option<String>> = sqlx::query_scalar(
            "SELECT pg_token FROM payments WHERE imp_uid = $1 AND status = 'approving'",
        )
        .bind(imp_uid)
        .fetch_optional(self.pool())
        .await?;
        Ok(token.flatten())
    }

    /// Reserves `amount` on a paid payment for one cancel, if the payment is still at
    /// `version` and no other cancel is in flight.
    pub async fn claim_cancel(
        &self,
        imp_uid: &str,
        version: i64,
        amount: Amount,
        now: i64,
    ) -> Result<CancelClaim> {
        let sql = format!(
            "UPDATE payments SET cancel_pending = $3, version = version + 1, updated_at = $4 \
             WHERE imp_uid = $1 AND version = $2 AND status = 'paid' AND cancel_pending = 0 \
             AND cancel_amount + $3 <= amount RETURNING {PAYMENT_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(imp_uid)
            .bind(version)
            .bind(amount.won())
            .bind(now)
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some(row) => CancelClaim::Claimed(Box::new(payment_from_row(&row)?)),
            None => CancelClaim::Lost,
        })
    }

    /// Records a cancel the PG accepted, releasing the reservation made by `claim_cancel`
    /// (the payment must still be at `claimed_version`). The payment becomes `cancelled` when
    /// nothing is left.
    pub async fn record_cancel(
        &self,
        imp_uid: &str,
        claimed_version: i64,
        record: &CancelRecord,
        pg_action_id: Option<&str>,
        webhooks: &[NewDelivery],
        now: i64,
    ) -> Result<Option<Payment>> {
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "UPDATE payments SET cancel_amount = cancel_amount + $3, cancel_tax_free = cancel_tax_free + $4, \
             cancel_pending = 0, version = version + 1, updated_at = $5, cancelled_at = $6, cancel_reason = $7, \
             status = CASE WHEN cancel_amount + $3 >= amount THEN 'cancelled' ELSE status END \
             WHERE imp_uid = $1 AND version = $2 AND cancel_pending = $3 RETURNING {PAYMENT_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(imp_uid)
            .bind(claimed_version)
            .bind(record.amount.won())
            .bind(record.tax_free.won())
            .bind(now)
            .bind(record.cancelled_at)
            .bind(&record.reason)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let mut payment = payment_from_row(&row)?;
        let seq: i64 = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM payment_cancels WHERE imp_uid = $1",
        )
        .bind(imp_uid)
        .fetch_one(&mut *tx)
        .await?
        .try_get("next")?;
        sqlx::query(
            "INSERT INTO payment_cancels (cancellation_id, imp_uid, seq, pg_tid, pg_action_id, amount, tax_free, \
             vat_amount, reason, cancelled_at, receipt_url) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&record.cancellation_id)
        .bind(imp_uid)
        .bind(seq)
        .bind(&record.pg_tid)
        .bind(pg_action_id)
        .bind(record.amount.won())
        .bind(record.tax_free.won())
        .bind(record.vat_amount.map(|a| a.won()))
        .bind(&record.reason)
        .bind(record.cancelled_at)
        .bind(&record.receipt_url)
        .execute(&mut *tx)
        .await?;
        insert_deliveries(&mut tx, webhooks, now).await?;
        tx.commit().await?;
        payment.cancel_history = self
            .payment(payment.merchant_code.as_str(), imp_uid)
            .await?
            .map(|p| p.cancel_history)
            .unwrap_or_default();
        Ok(Some(payment))
    }

    /// Drops the reservation of a cancel the PG refused.
    pub async fn release_cancel(
        &self,
        imp_uid: &str,
        claimed_version: i64,
        now: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE payments SET cancel_pending = 0, version = version + 1, updated_at = $3 \
             WHERE imp_uid = $1 AND version = $2",
        )
        .bind(imp_uid)
        .bind(claimed_version)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

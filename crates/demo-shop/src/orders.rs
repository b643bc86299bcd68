//! The shop's own order records: what was sold, for how much, and what became of it.
//!
//! They live in memory behind a mutex so the demo needs nothing installed; a real shop keeps
//! them in its database (and updates them in a transaction). The book is bounded: past
//! [`MAX_ORDERS`] the oldest order is forgotten, so a page reloaded forever (every product page
//! view creates an order) cannot exhaust memory.

use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Most orders kept at once.
pub const MAX_ORDERS: usize = 10_000;
/// Most log lines kept per order (duplicate webhooks must not grow an order without bound).
const MAX_EVENTS: usize = 50;

/// What the shop sells.
pub struct Product {
    pub name: &'static str,
    pub amount: i64,
}

pub const PRODUCT: Product = Product {
    name: "카카오프렌즈 머그컵",
    amount: 14_000,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Created; no payment seen as paid yet.
    Pending,
    /// Paid with exactly the amount the shop asked for.
    Paid,
    /// Paid with a different amount: the shop cancelled the payment (seed [4]).
    ForgeryCancelled,
    /// The payment attempt failed.
    Failed,
    /// The payment was cancelled (refunded) after the fact.
    Cancelled,
}

impl OrderState {
    /// The wire name (also the `data-state` attribute on the orders page).
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Pending => "pending",
            OrderState::Paid => "paid",
            OrderState::ForgeryCancelled => "forgery_cancelled",
            OrderState::Failed => "failed",
            OrderState::Cancelled => "cancelled",
        }
    }

    pub fn label_ko(self) -> &'static str {
        match self {
            OrderState::Pending => "결제 대기",
            OrderState::Paid => "결제 완료",
            OrderState::ForgeryCancelled => "위변조 의심 자동취소",
            OrderState::Failed => "결제 실패",
            OrderState::Cancelled => "결제 취소",
        }
    }
}

/// One line of an order's history.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// Unix seconds.
    pub at: i64,
    /// `complete`, `webhook`, `return` or `shop`.
    pub source: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Order {
    pub merchant_uid: String,
    pub product: String,
    /// What the shop expects to be paid, in won.
    pub amount: i64,
    pub state: OrderState,
    /// The payment the state refers to (the latest one seen for this order).
    pub imp_uid: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub log: Vec<Event>,
}

impl Order {
    /// Appends to the log, forgetting the oldest lines past [`MAX_EVENTS`].
    pub fn record(&mut self, now: i64, source: &str, message: impl Into<String>) {
        if self.log.len() >= MAX_EVENTS {
            self.log.remove(0);
        }
        self.log.push(Event {
            at: now,
            source: source.to_owned(),
            message: message.into(),
        });
        self.updated_at = now;
    }
}

pub struct OrderBook {
    inner: Mutex<Inner>,
    capacity: usize,
}

struct Inner {
    orders: HashMap<String, Order>,
    /// merchant_uids, oldest first, for eviction.
    created: VecDeque<String>,
    seq: u64,
}

impl OrderBook {
    pub fn new(capacity: usize) -> Self {
        OrderBook {
            inner: Mutex::new(Inner {
                orders: HashMap::new(),
                created: VecDeque::new(),
                seq: 0,
            }),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere while holding the lock leaves plain data behind; keep serving.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new pending order. The merchant_uid follows the seed (`'merchant_' + new
    /// Date().getTime()`) plus a sequence number, since two buyers can load the page in the
    /// same millisecond.
    pub fn create(&self, product: &Product) -> Order {
        let now_ms = now_millis();
        let mut inner = self.lock();
        inner.seq += 1;
        let merchant_uid = format!("merchant_{now_ms}_{}", inner.seq);
        let now = now_ms / 1000;
        let mut order = Order {
            merchant_uid: merchant_uid.clone(),
            product: product.name.to_owned(),
            amount: product.amount,
            state: OrderState::Pending,
            imp_uid: None,
            created_at: now,
            updated_at: now,
            log: Vec::new(),
        };
        order.record(now, "shop", format!("주문 생성: {}원", product.amount));
        while inner.orders.len() >= self.capacity {
            match inner.created.pop_front() {
                Some(oldest) => {
                    inner.orders.remove(&oldest);
                }
                None => break,
            }
        }
        inner.created.push_back(merchant_uid.clone());
        inner.orders.insert(merchant_uid, order.clone());
        order
    }

    pub fn get(&self, merchant_uid: &str) -> Option<Order> {
        self.lock().orders.get(merchant_uid).cloned()
    }

    /// Every order, newest first.
    pub fn list(&self) -> Vec<Order> {
        let inner = self.lock();
        inner
            .created
            .iter()
            .rev()
            .filter_map(|uid| inner.orders.get(uid).cloned())
            .collect()
    }

    /// Runs `f` on the order under the lock (so a decision and its write are one step);
    /// `None` when there is no such order.
    pub fn update<R>(&self, merchant_uid: &str, f: impl FnOnce(&mut Order) -> R) -> Option<R> {
        self.lock().orders.get_mut(merchant_uid).map(f)
    }
}

pub fn now_secs() -> i64 {
    now_millis() / 1000
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_newest_first() {
        let book = OrderBook::new(2);
        let a = book.create(&PRODUCT);
        let b = book.create(&PRODUCT);
        let c = book.create(&PRODUCT);
        assert!(book.get(&a.merchant_uid).is_none(), "oldest evicted");
        let uids: Vec<_> = book.list().into_iter().map(|o| o.merchant_uid).collect();
        assert_eq!(uids, vec![c.merchant_uid, b.merchant_uid]);
        assert!(book.update("nope", |_| ()).is_none());
    }

    #[test]
    fn log_is_bounded() {
        let book = OrderBook::new(10);
        let a = book.create(&PRODUCT);
        for i in 0..200 {
            book.update(&a.merchant_uid, |o| o.record(i, "webhook", "dup"));
        }
        let order = book.get(&a.merchant_uid).expect("order");
        assert_eq!(order.log.len(), MAX_EVENTS);
        assert!(order.merchant_uid.len() <= 40, "I'mport limit");
    }
}

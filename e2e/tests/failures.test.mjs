// What goes wrong on purpose: the buyer closes the window (× and Escape), and the seed's
// step [4]: the amount is tampered with in the browser, the buyer pays the smaller amount,
// and the shop's server-side check cancels it.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import * as h from "../lib/harness.mjs";

const { scenario } = h.suite("failures", { before, after, test });

/** Opens the overlay and waits for the QR page, so the payment exists at the gateway. */
async function startPayment(page, demo) {
  const order = await h.openShop(page, demo);
  await page.click("#pay");
  const frame = await h.paymentFrame(page, /\/sandbox\/pay\/[^/]+\/pc(\?|$)/);
  await frame.waitForSelector("#qr svg", { state: "visible" });
  const tid = h.tidOf(frame.url());
  const atPg = (await h.sandboxPayments(demo)).find((p) => p.tid === tid);
  assert.ok(atPg, `the sandbox lists tid ${tid}`);
  return { order, frame, tid, impUid: atPg.partner_order_id };
}

async function assertClosedAsFailure(page, demo, context, order, impUid, tid) {
  await page.waitForSelector("#paygate-overlay", { state: "detached" });
  const result = await h.shopResult(page);
  assert.equal(result.status, "failed", result.text);
  assert.match(result.text, new RegExp(h.FAILURE_TEXT));
  assert.match(result.text, /취소/, "the error message says the buyer cancelled");

  const api = await h.restApi(demo);
  const payment = await api.waitForStatus(impUid, "failed");
  assert.equal(payment.merchant_uid, order.merchant_uid);
  assert.ok(payment.failed_at > 0);
  assert.equal(payment.paid_at, 0);

  // The shop never marks it paid.
  const orders = await context.newPage();
  await orders.goto(`${demo.shop}/orders`);
  const state = await orders.getAttribute(`tr[data-merchant-uid="${order.merchant_uid}"]`, "data-state");
  assert.notEqual(state, "paid");
  await orders.close();
  return tid;
}

scenario("buyer closes the window with × → callback failure, payment failed", h.PC, async ({ demo, page, context }) => {
  const { order, tid, impUid } = await startPayment(page, demo);
  await page.click("#paygate-close");
  await assertClosedAsFailure(page, demo, context, order, impUid, tid);
});

scenario("buyer closes the window with Escape → callback failure, payment failed", h.PC, async ({ demo, page, context }) => {
  const { order, tid, impUid } = await startPayment(page, demo);
  await page.keyboard.press("Escape");
  await assertClosedAsFailure(page, demo, context, order, impUid, tid);
});

scenario("amount tampered in the page (ORDER.amount = 100) → shop detects forgery, payment cancelled", h.PC, async ({ demo, page, context, dialogs }) => {
  const order = await h.openShop(page, demo);
  await page.evaluate(() => {
    window.ORDER.amount = 100;
  });
  await page.click("#pay");
  const frame = await h.paymentFrame(page, /\/sandbox\/pay\/[^/]+\/pc(\?|$)/);
  await frame.waitForSelector("#qr svg", { state: "visible" });
  // KakaoPay asks the buyer for the tampered amount: the browser is what sent it.
  assert.equal((await frame.innerText("#amount")).trim(), "100원");
  const tid = h.tidOf(frame.url());
  const impUid = (await h.sandboxPayments(demo)).find((p) => p.tid === tid).partner_order_id;

  await h.buyerAct(demo, tid, "approve", { password: h.SANDBOX_PASSWORD });

  const result = await h.shopResult(page);
  assert.equal(result.status, "forgery", result.text);
  assert.match(result.text, new RegExp(h.FORGERY_TEXT));
  assert.ok(!dialogs.some((d) => d.message.includes(h.SUCCESS_TEXT)), "never told the buyer it succeeded");

  const api = await h.restApi(demo);
  const payment = await api.waitForStatus(impUid, "cancelled");
  assert.equal(payment.amount, 100);
  assert.equal(payment.cancel_amount, 100);
  assert.ok(payment.cancelled_at > 0);

  const row = await h.waitForOrderState(context, demo, order.merchant_uid, "forgery_cancelled");
  assert.equal(row.amount, h.PRODUCT_AMOUNT, "the order keeps the amount the shop asked for");

  // KakaoPay saw the cancel too.
  const atPg = (await h.sandboxPayments(demo)).find((p) => p.tid === tid);
  assert.equal(atPg.status, "CANCEL_PAYMENT");
});

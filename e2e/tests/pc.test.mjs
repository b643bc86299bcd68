// PC browser: the seed guide's section 1 on a desktop. The overlay opens over the shop, the
// KakaoPay QR page shows inside it, the buyer approves "on the phone", and the page moves on
// by itself to the merchant's callback (or, in redirect mode, to m_redirect_url).
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import * as h from "../lib/harness.mjs";

const { scenario } = h.suite("pc", { before, after, test });

scenario("PC: overlay, QR page, buyer approves on the phone, callback says paid", h.PC, async ({ demo, page, context, dialogs }) => {
  const order = await h.openShop(page, demo);
  assert.equal(order.amount, h.PRODUCT_AMOUNT);

  await page.click("#pay");
  await page.waitForSelector("#paygate-overlay", { state: "visible" });
  assert.ok(await page.isVisible("#paygate-close"), "the overlay has a close button");

  // Inside the overlay: KakaoPay's QR page with what is being paid for.
  const frame = await h.paymentFrame(page, /\/sandbox\/pay\/[^/]+\/pc(\?|$)/);
  await frame.waitForSelector("#qr svg", { state: "visible" });
  assert.equal((await frame.innerText("#item-name")).trim(), h.PRODUCT_NAME);
  assert.equal((await frame.innerText("#amount")).trim(), "14,000원");
  await h.screenshot(page, "pc-qr.png", { publish: true });

  // KakaoPay knows this payment under the tid in the page's URL, for the gateway's imp_uid.
  const tid = h.tidOf(frame.url());
  const pgPayments = await h.sandboxPayments(demo);
  const atPg = pgPayments.find((p) => p.tid === tid);
  assert.ok(atPg, `the sandbox lists tid ${tid}`);
  const impUid = atPg.partner_order_id;
  assert.match(impUid, /^imp_\d{12}$/);

  // The buyer scans the QR and approves in KakaoTalk; nobody touches the PC page.
  await h.buyerAct(demo, tid, "approve", { password: h.SANDBOX_PASSWORD });

  const result = await h.shopResult(page);
  assert.equal(result.status, "success", result.text);
  assert.match(result.text, new RegExp(h.SUCCESS_TEXT));
  assert.match(result.text, new RegExp(impUid));
  assert.match(result.text, new RegExp(order.merchant_uid));
  await page.waitForSelector("#paygate-overlay", { state: "detached" });
  assert.ok(dialogs.some((d) => d.message.includes(h.SUCCESS_TEXT)), "the seed's alert() said so too");

  const row = await h.waitForOrderState(context, demo, order.merchant_uid, "paid");
  assert.equal(row.impUid, impUid);

  const api = await h.restApi(demo);
  const payment = await api.payment(impUid);
  assert.equal(payment.status, "paid");
  assert.equal(payment.amount, h.PRODUCT_AMOUNT);
  assert.equal(payment.merchant_uid, order.merchant_uid);
  assert.equal(payment.pg_tid, tid);
  assert.equal(payment.channel, "pc");
  assert.ok(payment.paid_at > 0);
});

scenario("PC: m_redirect_url (no callback) lands on the shop's return page with imp_success=true", h.PC, async ({ demo, page, context }) => {
  const order = await h.openShop(page, demo, "?redirect=1");
  await page.click("#pay");
  const frame = await h.paymentFrame(page, /\/sandbox\/pay\/[^/]+\/pc(\?|$)/);
  await frame.waitForSelector("#qr svg", { state: "visible" });
  const tid = h.tidOf(frame.url());

  await h.buyerAct(demo, tid, "approve", { password: h.SANDBOX_PASSWORD });

  // The top page (not only the iframe) goes to the shop's return URL.
  await page.waitForURL((url) => url.pathname === `/orders/${order.merchant_uid}/return`);
  const url = new URL(page.url());
  assert.equal(url.origin, demo.shop);
  assert.equal(url.searchParams.get("imp_success"), "true");
  assert.equal(url.searchParams.get("merchant_uid"), order.merchant_uid);
  const impUid = url.searchParams.get("imp_uid");
  assert.match(impUid, /^imp_\d{12}$/);

  const result = await h.shopResult(page);
  assert.equal(result.status, "success", result.text);
  assert.match(result.text, new RegExp(h.SUCCESS_TEXT));

  await h.waitForOrderState(context, demo, order.merchant_uid, "paid");
  const payment = await (await h.restApi(demo)).payment(impUid);
  assert.equal(payment.status, "paid");
  assert.equal(payment.amount, h.PRODUCT_AMOUNT);
});

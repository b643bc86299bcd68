// The merchant console (/console) in Chromium, as a merchant uses it after a buyer paid in the
// demo shop: sign in with the demo's imp_key/imp_secret, find the payment, cancel part of it
// with a reason, see the cancel history and the webhook attempts, look at the dashboard, sign
// out. And what must be refused: a POST without the CSRF token, a cross-site form (the
// SameSite=Strict cookie is not sent), a form of an ended session.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import * as h from "../lib/harness.mjs";

const { scenario } = h.suite("console", { before, after, test });

/** A buyer pays the shop's product through the SDK overlay on a PC; resolves with the order. */
async function buyerPays(page, demo) {
  const order = await h.openShop(page, demo);
  await page.click("#pay");
  const frame = await h.paymentFrame(page, /\/sandbox\/pay\/[^/]+\/pc(\?|$)/);
  await frame.waitForSelector("#qr svg", { state: "visible" });
  const tid = h.tidOf(frame.url());
  const atPg = (await h.sandboxPayments(demo)).find((p) => p.tid === tid);
  assert.ok(atPg, `the sandbox lists tid ${tid}`);
  await h.buyerAct(demo, tid, "approve", { password: h.SANDBOX_PASSWORD });
  const result = await h.shopResult(page);
  assert.equal(result.status, "success", result.text);
  return { merchantUid: order.merchant_uid, impUid: atPg.partner_order_id };
}

async function signIn(page, demo) {
  await page.goto(`${demo.gateway}/console/login`);
  assert.equal(await page.getAttribute("#mode-badge", "data-mode"), "test");
  await page.fill("#imp_key", demo.imp_key);
  await page.fill("#imp_secret", demo.imp_secret);
  await Promise.all([page.waitForURL(/\/console\/dashboard$/), page.click("#login-submit")]);
}

/** Reloads `page` until `selector` is there (webhooks are delivered in the background). */
async function reloadUntil(page, selector, what) {
  const deadline = Date.now() + h.STEP_MS;
  for (;;) {
    if (await page.$(selector)) return;
    if (Date.now() > deadline) throw new Error(`${what}: ${selector} never appeared on ${page.url()}`);
    await page.waitForTimeout(300);
    await page.reload();
  }
}

scenario("Console: sign in, find the paid payment, cancel part of it, see history and webhooks, sign out", h.PC, async ({ demo, page, device2 }) => {
  const { merchantUid, impUid } = await buyerPays(page, demo);

  // The merchant, on their own computer.
  const merchant = await device2(h.PC);
  const m = merchant.page;

  // Wrong secret first: a Korean error, still on the sign-in page.
  await m.goto(`${demo.gateway}/console/login`);
  await m.fill("#imp_key", demo.imp_key);
  await m.fill("#imp_secret", "wrong-secret");
  await m.click("#login-submit");
  await m.waitForSelector("#login-error");
  assert.match(await m.innerText("#login-error"), /올바르지 않습니다/);

  await signIn(m, demo);
  assert.equal(await m.getAttribute("#mode-badge", "data-mode"), "test");
  assert.match(await m.innerText("#merchant-name"), /데모 상점/);

  // Payments: search by the order number the shop gave.
  await m.click("#nav-payments");
  await m.waitForSelector("#search-form");
  await m.fill("#f-merchant_uid", merchantUid);
  await Promise.all([m.waitForURL(/merchant_uid=/), m.click("#search-submit")]);
  const row = `tr.payment-row[data-imp-uid="${impUid}"]`;
  await m.waitForSelector(row);
  assert.equal(await m.getAttribute(row, "data-status"), "paid");
  assert.equal(await m.getAttribute(row, "data-merchant-uid"), merchantUid);
  assert.equal(await m.getAttribute("#payments-total", "data-total"), "1");

  // Its detail: every field, the paid webhook delivered to the shop.
  await Promise.all([m.waitForURL(new RegExp(`/console/payments/${impUid}$`)), m.click(`${row} a.payment-link`)]);
  assert.equal((await m.innerText("#field-amount")).trim(), "14,000원");
  assert.equal((await m.innerText("#field-merchant_uid")).trim(), merchantUid);
  assert.equal((await m.innerText("#field-name")).trim(), h.PRODUCT_NAME);
  assert.ok(await m.$("#cancel-history-empty"), "no cancels yet");
  await reloadUntil(m, 'tr.webhook-delivery[data-event="paid"][data-status="delivered"]', "paid webhook");
  assert.ok(await m.$('tr.webhook-attempt[data-status-code="200"]'), "the paid webhook's attempt is listed");

  // Partial cancel with a reason.
  await m.fill("#cancel-amount", "4,000");
  await m.fill("#cancel-reason", "고객 요청 부분 취소");
  await Promise.all([m.waitForURL(/done=cancelled/), m.click("#cancel-submit")]);
  await m.waitForSelector("#flash");
  assert.equal(await m.getAttribute("#payment-detail", "data-cancel-amount"), "4000");
  assert.equal(await m.getAttribute("#payment-detail", "data-status"), "paid");
  const cancelRow = 'tr.cancel-row[data-amount="4000"]';
  await m.waitForSelector(cancelRow);
  assert.equal((await m.innerText(`${cancelRow} .cancel-reason`)).trim(), "고객 요청 부분 취소");
  assert.equal((await m.innerText("#field-cancel_amount")).trim(), "4,000원");
  // The cancel's webhook (the form asks for one) reaches the shop and is listed with its attempt.
  await reloadUntil(m, 'tr.webhook-delivery[data-event="cancelled"][data-status="delivered"]', "cancel webhook");
  const attempts = await m.$$eval('tr.webhook-attempt[data-status-code="200"]', (els) => els.length);
  assert.ok(attempts >= 2, `two delivered attempts listed, saw ${attempts}`);

  // The merchant's server sees the same through the REST API.
  const payment = await (await h.restApi(demo)).payment(impUid);
  assert.equal(payment.status, "paid");
  assert.equal(payment.cancel_amount, 4000);
  assert.equal(payment.cancel_history.length, 1);
  assert.equal(payment.cancel_history[0].reason, "고객 요청 부분 취소");

  // Dashboard: today's figures and the hourly chart.
  await Promise.all([m.waitForURL(/\/console\/dashboard$/), m.click("#nav-dashboard")]);
  assert.ok(Number(await m.getAttribute("#stat-paid-count", "data-value")) >= 1);
  assert.ok(Number(await m.getAttribute("#stat-paid-sum", "data-value")) >= h.PRODUCT_AMOUNT);
  assert.ok(Number(await m.getAttribute("#stat-cancelled-sum", "data-value")) >= 4000);
  assert.equal(await m.getAttribute("#sales-chart", "data-buckets"), "24");
  const bars = await m.$$eval("#sales-chart rect.bar", (els) => els.map((e) => Number(e.getAttribute("data-sum"))));
  assert.equal(bars.length, 24);
  assert.ok(bars.some((s) => s >= h.PRODUCT_AMOUNT), `a bar carries the sale: ${bars}`);
  await h.screenshot(m, "console-dashboard.png", { publish: true });

  // English on request.
  await m.click("#lang-en");
  await m.waitForSelector('html[lang="en"]');
  assert.match(await m.innerText("#page-title"), /Dashboard/);
  await m.click("#lang-ko");
  await m.waitForSelector('html[lang="ko"]');

  // Sign out: back to sign-in, and the console is closed to this browser.
  await Promise.all([m.waitForURL(/\/console\/login/), m.click("#logout")]);
  await m.goto(`${demo.gateway}/console/payments`);
  assert.match(new URL(m.url()).pathname, /^\/console\/login$/);
  assert.ok(await m.$("#login-form"));
});

scenario("Console: a POST without the CSRF token, a cross-site form and an ended session's form are refused", h.PC, async ({ demo, page, device2 }) => {
  const { impUid } = await buyerPays(page, demo);
  const merchant = await device2(h.PC);
  const m = merchant.page;
  await signIn(m, demo);
  await m.goto(`${demo.gateway}/console/payments/${impUid}`);
  await m.waitForSelector("#cancel-form");

  // Same browser, same cookies, no token: 403, nothing cancelled.
  const forged = await merchant.context.request.post(`${demo.gateway}/console/payments/${impUid}/cancel`, {
    form: { amount: "1000", reason: "csrf" },
    maxRedirects: 0,
  });
  assert.equal(forged.status(), 403);
  // A wrong token: 403 too.
  const wrong = await merchant.context.request.post(`${demo.gateway}/console/payments/${impUid}/cancel`, {
    form: { amount: "1000", reason: "csrf", csrf_token: "0".repeat(64) },
    maxRedirects: 0,
  });
  assert.equal(wrong.status(), 403);

  // Another site's page posting a form to the console: the browser does not send the
  // SameSite=Strict session cookie, so the gateway sees no session (sign-in page).
  const attackerPage = "http://attacker.invalid/";
  await m.route(attackerPage, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<form id="f" method="post" action="${demo.gateway}/console/payments/${impUid}/cancel">
        <input name="amount" value="1000"><input name="reason" value="csrf"></form>
        <script>document.getElementById("f").submit()</script>`,
    }),
  );
  await m.goto(attackerPage);
  await m.waitForURL(/\/console\/login/);

  let payment = await (await h.restApi(demo)).payment(impUid);
  assert.equal(payment.cancel_amount, 0, "nothing was cancelled");

  // An ended session: the cancel form of a page opened before signing out is refused (the
  // browser lands on sign-in with the notice), and nothing is cancelled.
  const stale = await merchant.context.newPage();
  await stale.goto(`${demo.gateway}/console/payments/${impUid}`);
  await stale.waitForSelector("#cancel-form");
  await m.goto(`${demo.gateway}/console/dashboard`);
  await Promise.all([m.waitForURL(/\/console\/login/), m.click("#logout")]);
  await stale.fill("#cancel-amount", "1000");
  await stale.fill("#cancel-reason", "stale");
  await Promise.all([stale.waitForURL(/\/console\/login/), stale.click("#cancel-submit")]);
  payment = await (await h.restApi(demo)).payment(impUid);
  assert.equal(payment.cancel_amount, 0, "nothing was cancelled");

  // A session the gateway no longer knows (what an expired one is once its row is gone):
  // the sign-in page with the "session ended" notice.
  await signIn(m, demo);
  const url = new URL(demo.gateway);
  await merchant.context.addCookies([
    { name: "paygate_console", value: "ab".repeat(32), domain: url.hostname, path: "/console", httpOnly: true, sameSite: "Strict" },
  ]);
  await m.goto(`${demo.gateway}/console/payments`);
  await m.waitForURL(/\/console\/login\?expired=1/);
  assert.ok(await m.$("#login-expired"));
});

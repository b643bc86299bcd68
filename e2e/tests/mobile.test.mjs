// Mobile browsers (seed section 1 and 1.1): the same shop page on a phone. KakaoPay's mobile
// page tries to open KakaoTalk (intent:// on Android, kakaotalk:// on iOS); on iOS with
// kakaoOpenApp the gateway's window first asks for the tap that iOS needs to open an app.
//
// How the app switch is observed: headless Chromium has no KakaoTalk, so the URL is never
// loaded; the DevTools protocol still reports every navigation a frame asks for
// (Page.frameRequestedNavigation, see harness.watchNavigations), which is exactly the URL a
// phone would hand to the OS.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import * as h from "../lib/harness.mjs";

const { scenario } = h.suite("mobile", { before, after, test });

const SANDBOX_PAGE = /\/sandbox\/pay\/[^/]+\/mobile(\?|$)/;

scenario("Android Chrome: mobile page opens KakaoTalk by intent://, buyer approves in the app, callback says paid", h.ANDROID, async ({ demo, page, context, device2, dialogs }) => {
  const nav = await h.watchNavigations(page);
  const order = await h.openShop(page, demo);
  await page.tap("#pay");
  await page.waitForSelector("#paygate-overlay", { state: "visible" });

  const frame = await h.paymentFrame(page, SANDBOX_PAGE);
  assert.equal((await frame.innerText("#item-name")).trim(), h.PRODUCT_NAME);
  assert.equal((await frame.innerText("#amount")).trim(), "14,000원");
  assert.equal(await frame.$("#qr"), null, "no QR code on a phone");

  const intentUrl = await nav.waitFor((u) => u.startsWith("intent:"), "an intent:// URL");
  assert.match(intentUrl, /#Intent;.*\bscheme=kakaotalk;/);
  assert.match(intentUrl, /#Intent;.*\bpackage=com\.kakao\.talk;/);
  assert.match(intentUrl, /;end$/);
  const appUrl = new URL(intentUrl.replace(/^intent:/, "kakaotalk:").split("#")[0]).searchParams.get("url");
  const tid = h.tidOf(frame.url());
  assert.equal(appUrl, `${demo.sandbox}/sandbox/pay/${tid}/app`);
  // No app took it: the buyer still sees KakaoPay's page, which has a link to try again.
  assert.match(frame.url(), SANDBOX_PAGE);
  assert.ok(await frame.isVisible("#open-app"));

  // "KakaoTalk": the app screen the intent carries, on the same phone.
  const kakao = await device2();
  await kakao.page.goto(appUrl);
  assert.equal((await kakao.page.innerText("#item-name")).trim(), h.PRODUCT_NAME);
  assert.equal((await kakao.page.innerText("#amount")).trim(), "14,000원");
  await kakao.page.fill("#password", h.SANDBOX_PASSWORD);
  await h.screenshot(kakao.page, "mobile-approval.png", { publish: true });
  await kakao.page.tap("#approve");
  await kakao.page.waitForFunction(() => /결제 승인이 요청되었습니다/.test(document.getElementById("message").textContent));

  // Back in the browser: KakaoPay's page polls, moves on, the callback runs.
  const result = await h.shopResult(page);
  assert.equal(result.status, "success", result.text);
  assert.match(result.text, new RegExp(h.SUCCESS_TEXT));
  await page.waitForSelector("#paygate-overlay", { state: "detached" });
  assert.ok(dialogs.some((d) => d.message.includes(h.SUCCESS_TEXT)));

  const row = await h.waitForOrderState(context, demo, order.merchant_uid, "paid");
  const payment = await (await h.restApi(demo)).payment(row.impUid);
  assert.equal(payment.status, "paid");
  assert.equal(payment.amount, h.PRODUCT_AMOUNT);
  assert.equal(payment.channel, "mobile");
  assert.equal(payment.pg_tid, tid);
});

scenario("iPhone Safari, kakaoOpenApp: consent button first, tap opens kakaotalk://, approve, callback says paid", h.IPHONE, async ({ demo, page, context }) => {
  const nav = await h.watchNavigations(page);
  const order = await h.openShop(page, demo);
  await page.tap("#pay");

  // The gateway's window asks before anything navigates (iOS needs the tap, seed 1.1).
  const win = await h.paymentFrame(page, /\/checkout\/window(\?|$)/);
  await win.waitForSelector("#paygate-open-app", { state: "visible" });
  await win.waitForSelector("#paygate-summary", { state: "visible" });
  assert.match(await win.innerText("#paygate-summary"), new RegExp(h.PRODUCT_NAME));
  assert.match(await win.innerText("#paygate-summary"), /14,000원/);
  assert.deepEqual(
    nav.urls.filter((u) => !u.startsWith(demo.gateway)),
    [],
    "nothing but the gateway's window was loaded before the tap",
  );
  assert.match(win.url(), /\/checkout\/window/);
  // The payment exists (KakaoPay was asked for it) but its page was never opened.
  const started = await (await h.restApi(demo)).byMerchantUid(order.merchant_uid);
  assert.equal(started.status, "ready");
  const atPg = (await h.sandboxPayments(demo)).find((p) => p.partner_order_id === started.imp_uid);
  assert.equal(atPg.status, "READY", "KakaoPay's page was not opened before the tap");

  await win.tap("#paygate-open-app");

  const frame = await h.paymentFrame(page, SANDBOX_PAGE);
  const appUrlScheme = await nav.waitFor((u) => u.startsWith("kakaotalk:"), "a kakaotalk:// URL");
  assert.match(appUrlScheme, /^kakaotalk:\/\/kakaopay\/pg\?url=/);
  const tid = h.tidOf(frame.url());
  assert.equal(new URL(appUrlScheme).searchParams.get("url"), `${demo.sandbox}/sandbox/pay/${tid}/app`);
  assert.ok(!nav.urls.some((u) => u.startsWith("intent:")), "no Android intent on iOS");

  await h.buyerAct(demo, tid, "approve", { password: h.SANDBOX_PASSWORD });

  const result = await h.shopResult(page);
  assert.equal(result.status, "success", result.text);
  assert.match(result.text, new RegExp(h.SUCCESS_TEXT));

  const row = await h.waitForOrderState(context, demo, order.merchant_uid, "paid");
  const payment = await (await h.restApi(demo)).payment(row.impUid);
  assert.equal(payment.status, "paid");
  assert.equal(payment.amount, h.PRODUCT_AMOUNT);
});

// Android app WebView (seed section 2.1): the shop page in a WebView with
// `app_scheme: 'myapp'`. The test plays the app's native code:
//
// - shouldOverrideUrlLoading: every navigation a frame asks for that is not http(s) or
//   javascript: is caught (Page.frameRequestedNavigation, harness.watchNavigations) and
//   parsed as Intent.parseUri would: scheme=kakaotalk, package=com.kakao.talk, and the
//   KakaoPay app screen URL it carries.
// - "KakaoTalk" is a second, separate browser context that opens that app screen URL; the
//   buyer types the password and approves (or cancels); KakaoTalk then hands the buyer back
//   with myapp://process (or myapp://cancel), caught the same way.
// - While KakaoTalk is in front the app is in the background: like WebView.pauseTimers() in
//   onPause, its page is frozen (Page.setWebLifecycleState frozen), so neither the SDK nor
//   KakaoPay's page can notice anything by polling meanwhile.
// - onResume: the page is thawed and, as loadUrl("javascript:IMP.communicate({result:'…'})")
//   does, IMP.communicate is run in it.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import * as h from "../lib/harness.mjs";

const { scenario } = h.suite("webview", { before, after, test });

const APP_SCHEME = "myapp";

/** Intent.parseUri(url, URI_INTENT_SCHEME) for the parts the seed's code uses. */
function parseIntent(url) {
  assert.match(url, /^intent:/, `an intent URL: ${url}`);
  const [body, fragment = ""] = url.split("#");
  assert.match(fragment, /^Intent;.*;end$/, `intent fragment: ${fragment}`);
  const extras = Object.fromEntries(
    fragment
      .replace(/^Intent;/, "")
      .replace(/;end$/, "")
      .split(";")
      .map((kv) => kv.split("=")),
  );
  const data = `${extras.scheme}:${body.replace(/^intent:/, "")}`;
  return { scheme: extras.scheme, package: extras.package, data };
}

/** Runs the WebView payment up to KakaoTalk's hand-back; `inApp(kakaoPage)` is the buyer. */
async function payInWebView({ demo, page, device2 }, inApp) {
  const webview = await h.watchNavigations(page);
  const order = await h.openShop(page, demo, `?app_scheme=${APP_SCHEME}`);
  await page.tap("#pay");
  const frame = await h.paymentFrame(page, /\/sandbox\/pay\/[^/]+\/mobile(\?|$)/);
  const tid = h.tidOf(frame.url());

  // shouldOverrideUrlLoading(view, url) with a non-http(s) url.
  const caught = await webview.waitFor((u) => !/^(https?|javascript|about|data|blob):/i.test(u), "a non-http(s) URL");
  const intent = parseIntent(caught);
  assert.equal(intent.scheme, "kakaotalk");
  assert.equal(intent.package, "com.kakao.talk");
  assert.match(intent.data, /^kakaotalk:\/\/kakaopay\/pg\?url=/);
  const appScreen = new URL(intent.data).searchParams.get("url");
  assert.equal(appScreen, `${demo.sandbox}/sandbox/pay/${tid}/app?return_scheme=${APP_SCHEME}`);

  // startActivity: KakaoTalk comes to the front, the app goes to the background.
  await webview.cdp.send("Page.setWebLifecycleState", { state: "frozen" });
  const kakao = await device2();
  const kakaoNav = await h.watchNavigations(kakao.page);
  await kakao.page.goto(appScreen);
  assert.equal((await kakao.page.innerText("#item-name")).trim(), h.PRODUCT_NAME);
  assert.equal((await kakao.page.innerText("#amount")).trim(), "14,000원");
  const returnUrl = await inApp(kakao.page, kakaoNav);

  // onResume with the intent's data: the WebView is back and told what happened.
  await webview.cdp.send("Page.setWebLifecycleState", { state: "active" });
  const path = returnUrl.slice(`${APP_SCHEME}://`.length);
  const result = path.toLowerCase() === "process" ? "process" : "cancel";
  await page.evaluate((r) => window.IMP.communicate({ result: r }), result);
  return { order, tid, frame };
}

scenario("Android WebView (app_scheme): intent → KakaoTalk approves → myapp://process → IMP.communicate → paid", h.ANDROID, async (ctx) => {
  const { demo, page, context } = ctx;
  const { order, tid } = await payInWebView(ctx, async (kakao, nav) => {
    await kakao.fill("#password", h.SANDBOX_PASSWORD);
    await kakao.tap("#approve");
    const back = await nav.waitFor((u) => u.startsWith(`${APP_SCHEME}:`), `${APP_SCHEME}://…`);
    assert.equal(back, `${APP_SCHEME}://process`);
    return back;
  });

  const result = await h.shopResult(page);
  assert.equal(result.status, "success", result.text);
  assert.match(result.text, new RegExp(h.SUCCESS_TEXT));
  await page.waitForSelector("#paygate-overlay", { state: "detached" });

  const row = await h.waitForOrderState(context, demo, order.merchant_uid, "paid");
  const payment = await (await h.restApi(demo)).payment(row.impUid);
  assert.equal(payment.status, "paid");
  assert.equal(payment.amount, h.PRODUCT_AMOUNT);
  assert.equal(payment.pg_tid, tid);
  assert.equal(payment.channel, "mobile");
});

scenario("Android WebView (app_scheme): KakaoTalk cancel → myapp://cancel → IMP.communicate cancel → callback failure, payment failed", h.ANDROID, async (ctx) => {
  const { demo, page, context } = ctx;
  const { order, tid } = await payInWebView(ctx, async (kakao, nav) => {
    await kakao.tap("#cancel");
    const back = await nav.waitFor((u) => u.startsWith(`${APP_SCHEME}:`), `${APP_SCHEME}://…`);
    assert.equal(back, `${APP_SCHEME}://cancel`);
    return back;
  });

  const result = await h.shopResult(page);
  assert.equal(result.status, "failed", result.text);
  assert.match(result.text, new RegExp(h.FAILURE_TEXT));
  await page.waitForSelector("#paygate-overlay", { state: "detached" });

  const api = await h.restApi(demo);
  const payment = await api.waitForStatus((await api.byMerchantUid(order.merchant_uid)).imp_uid, "failed");
  assert.equal(payment.pg_tid, tid);
  assert.equal(payment.paid_at, 0);
  const orders = await context.newPage();
  await orders.goto(`${demo.shop}/orders`);
  assert.notEqual(await orders.getAttribute(`tr[data-merchant-uid="${order.merchant_uid}"]`, "data-state"), "paid");
});

// Merchant- or buyer-supplied text is shown, never run: a payment whose name (and buyer name)
// is an HTML/script payload is displayed literally by the gateway's window, KakaoPay's QR
// page and its app screen, and nothing in any frame executes it.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import * as h from "../lib/harness.mjs";

const { scenario } = h.suite("xss", { before, after, test });

const PAYLOAD = "<img src=x onerror=alert(1)>";
const BUYER = '"><svg onload=alert(2)>';

async function noInjectedElements(page) {
  for (const frame of page.frames()) {
    const found = await frame.$$eval('img[src="x"], svg[onload], [onerror]', (els) => els.length).catch(() => 0);
    assert.equal(found, 0, `markup injected into ${frame.url()}`);
  }
}

scenario("XSS: a payload as the payment name is shown literally in the window and on KakaoPay's pages, never run", h.PC, async ({ demo, page, dialogs, device2 }) => {
  const fetchedX = [];
  page.on("request", (r) => {
    if (/\/x$/.test(new URL(r.url()).pathname)) fetchedX.push(r.url());
  });
  await h.openShop(page, demo);

  // Hold KakaoPay's page for a moment so the gateway's window (which hands over to it at
  // once on a PC) can be looked at; released as soon as its summary has been checked.
  let release;
  const released = new Promise((r) => (release = r));
  await page.route(/\/sandbox\/pay\/[^/]+\/pc(\?|$)/, async (route) => {
    await released;
    await route.continue().catch(() => {});
  });

  const merchantUid = `xss_${Date.now()}`;
  await page.evaluate(
    ({ merchantUid, name, buyer }) => {
      window.__rsp = null;
      window.IMP.request_pay(
        { pg: "kakao", pay_method: "card", merchant_uid: merchantUid, name, amount: 1000, buyer_name: buyer },
        (rsp) => {
          window.__rsp = rsp;
        },
      );
    },
    { merchantUid, name: PAYLOAD, buyer: BUYER },
  );

  const win = await h.paymentFrame(page, /\/checkout\/window(\?|$)/);
  await win.waitForSelector("#paygate-summary", { state: "visible" });
  assert.equal((await win.innerText("#paygate-item")).trim(), PAYLOAD);
  assert.equal((await win.innerText("#paygate-buyer")).trim(), BUYER);
  await noInjectedElements(page);
  release();

  const frame = await h.paymentFrame(page, /\/sandbox\/pay\/[^/]+\/pc(\?|$)/);
  await frame.waitForSelector("#qr svg", { state: "visible" });
  assert.equal((await frame.innerText("#item-name")).trim(), PAYLOAD);
  assert.equal((await frame.innerText("#amount")).trim(), "1,000원");
  await noInjectedElements(page);

  // The app screen ("KakaoTalk") shows it too.
  const tid = h.tidOf(frame.url());
  const kakao = await device2(h.ANDROID);
  await kakao.page.goto(`${demo.sandbox}/sandbox/pay/${tid}/app`);
  assert.equal((await kakao.page.innerText("#item-name")).trim(), PAYLOAD);
  await noInjectedElements(kakao.page);
  await kakao.page.fill("#password", h.SANDBOX_PASSWORD);
  await kakao.page.tap("#approve");

  // The payment completes normally and the callback gets the name back as plain data.
  await page.waitForFunction(() => window.__rsp !== null);
  const rsp = await page.evaluate(() => window.__rsp);
  assert.equal(rsp.success, true, JSON.stringify(rsp));
  assert.equal(rsp.name, PAYLOAD);
  assert.equal(rsp.buyer_name, BUYER);
  const payment = await (await h.restApi(demo)).payment(rsp.imp_uid);
  assert.equal(payment.name, PAYLOAD);
  assert.equal(payment.status, "paid");

  await noInjectedElements(page);
  assert.deepEqual(dialogs, [], "no dialog fired from any page or frame");
  assert.deepEqual(fetchedX, [], "no <img src=x> was ever loaded");
});

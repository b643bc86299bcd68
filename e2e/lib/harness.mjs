// Shared plumbing for the e2e tests: one `paygate demo` per test file (gateway + KakaoPay
// sandbox + demo shop on free ports, fresh SQLite), one headless Chromium per file, and the
// few things a test does as "the buyer" or "the merchant's server" over HTTP.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, createWriteStream, copyFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { once } from "node:events";
import { chromium, devices } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const E2E_DIR = resolve(here, "..");
export const REPO_DIR = resolve(E2E_DIR, "..");
export const ARTIFACTS = process.env.PAYGATE_E2E_ARTIFACTS || join(E2E_DIR, "artifacts");
mkdirSync(ARTIFACTS, { recursive: true });

const PAYGATE_BIN = process.env.PAYGATE_BIN || join(REPO_DIR, "target", "debug", "paygate");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

// Per-step waits. Generous against a machine busy with cargo builds, but every wait ends.
export const STEP_MS = Number(process.env.PAYGATE_E2E_STEP_MS || 20000);
export const TEST_MS = Number(process.env.PAYGATE_E2E_TEST_MS || 90000);

export const PRODUCT_NAME = "카카오프렌즈 머그컵";
export const PRODUCT_AMOUNT = 14000;
export const SUCCESS_TEXT = "결제가 완료되었습니다";
export const FORGERY_TEXT = "결제된 금액이 요청한 금액과 달라 결제를 자동취소처리하였습니다";
export const FAILURE_TEXT = "결제에 실패하였습니다";
export const SANDBOX_PASSWORD = "123456";

export const PC = { viewport: { width: 1280, height: 900 }, locale: "ko-KR" };
export const ANDROID = { ...devices["Pixel 7"], locale: "ko-KR" };
export const IPHONE = { ...devices["iPhone 14"], locale: "ko-KR" };

/**
 * Starts `paygate demo` on port 0 everywhere with a temp SQLite file and resolves with the
 * JSON line it prints: {gateway, sandbox, shop, merchant_code, imp_key, imp_secret}, plus
 * stop(). Its stderr goes to artifacts/<name>.demo.log.
 */
export async function startDemo(name) {
  const dir = mkdtempSync(join(tmpdir(), "paygate-e2e-"));
  const log = createWriteStream(join(ARTIFACTS, `${name}.demo.log`));
  const child = spawn(
    PAYGATE_BIN,
    [
      "demo",
      "--listen", "127.0.0.1:0",
      "--sandbox-listen", "127.0.0.1:0",
      "--shop-listen", "127.0.0.1:0",
      "--database-url", `sqlite://${join(dir, "paygate.db")}`,
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
  );
  child.stderr.pipe(log);
  const exited = once(child, "exit");
  // Never outlive the test process, whatever way it ends.
  const reap = () => child.kill("SIGKILL");
  process.once("exit", reap);

  const info = await new Promise((resolveInfo, reject) => {
    const fail = reject;
    reject = (e) => {
      child.kill("SIGKILL");
      fail(e);
    };
    let buffer = "";
    const timer = setTimeout(() => {
      reject(new Error(`paygate demo printed no JSON line within ${STEP_MS} ms (see artifacts/${name}.demo.log)`));
    }, STEP_MS);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${PAYGATE_BIN}: ${e.message} (build it: cargo build -p paygate)`));
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`paygate demo exited (code ${code}) before printing its JSON line (see artifacts/${name}.demo.log)`));
    });
    child.stdout.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      const nl = buffer.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        try {
          resolveInfo(JSON.parse(buffer.slice(0, nl)));
        } catch (e) {
          reject(new Error(`paygate demo's first stdout line is not JSON: ${buffer.slice(0, nl)}`));
        }
      }
    });
  });
  for (const key of ["gateway", "sandbox", "shop", "merchant_code", "imp_key", "imp_secret"]) {
    if (!info[key]) throw new Error(`paygate demo's JSON line lacks "${key}": ${JSON.stringify(info)}`);
  }

  info.stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited.catch(() => {});
      clearTimeout(timer);
    }
    process.removeListener("exit", reap);
    log.end();
    rmSync(dir, { recursive: true, force: true });
  };
  return info;
}

/**
 * Headless Debian Chromium, with the flags this machine's closed network needs. Playwright
 * gives every launch a fresh, empty profile directory of its own (and deletes it on close).
 */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: STEP_MS,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A browser context (one buyer's device) whose pages accept every alert() (the seed's
 * script alerts its outcome) and record each dialog's message in `dialogs`.
 */
export async function newBuyer(browser, device) {
  const context = await browser.newContext(device);
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  const dialogs = [];
  const watch = (page) => {
    page.on("dialog", (dialog) => {
      dialogs.push({ type: dialog.type(), message: dialog.message(), url: page.url() });
      dialog.accept().catch(() => {});
    });
  };
  context.on("page", watch);
  const page = await context.newPage();
  return { context, page, dialogs };
}

/**
 * Records every navigation a frame of `page` asks for, whatever its scheme, through the
 * DevTools protocol's Page.frameRequestedNavigation: the renderer reports it before the
 * browser decides what to do with the URL. That is the one place a non-http(s) URL
 * (intent://, kakaotalk://, myapp://) can be seen: it never becomes a network request, and
 * headless Chromium has no app to hand it to, so the page simply stays where it is, as on
 * a phone whose WebView's shouldOverrideUrlLoading took the URL.
 */
export async function watchNavigations(page) {
  const cdp = await page.context().newCDPSession(page);
  const urls = [];
  cdp.on("Page.frameRequestedNavigation", (event) => urls.push(event.url));
  await cdp.send("Page.enable");
  return {
    urls,
    cdp,
    /** Resolves with the first requested URL that `predicate` accepts. */
    async waitFor(predicate, what, timeout = STEP_MS) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const hit = urls.find(predicate);
        if (hit) return hit;
        if (Date.now() > deadline) {
          throw new Error(`no navigation to ${what} within ${timeout} ms; seen: ${JSON.stringify(urls)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** The overlay's iframe once it holds a page whose URL matches `re`. */
export async function paymentFrame(page, re, timeout = STEP_MS) {
  await page.waitForSelector("#paygate-overlay #paygate-frame", { state: "attached", timeout });
  const deadline = Date.now() + timeout;
  for (;;) {
    const handle = await page.$("#paygate-frame");
    const frame = handle && (await handle.contentFrame());
    if (frame && re.test(frame.url())) return frame;
    if (Date.now() > deadline) {
      throw new Error(`the payment window never reached ${re} (at ${frame ? frame.url() : "no frame"})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `/sandbox/pay/{tid}/…` → tid. */
export function tidOf(url) {
  const m = /\/sandbox\/pay\/([^/?#]+)\//.exec(url);
  if (!m) throw new Error(`not a KakaoPay sandbox page: ${url}`);
  return m[1];
}

async function json(res, what) {
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${what}: HTTP ${res.status}, not JSON: ${text.slice(0, 300)}`);
  }
  return { status: res.status, body };
}

/** The buyer acts in "KakaoTalk" through the sandbox's buyer control API. */
export async function buyerAct(demo, tid, action, body = {}) {
  const res = await fetch(`${demo.sandbox}/sandbox/buyer/${encodeURIComponent(tid)}/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const out = await json(res, `sandbox ${action}`);
  if (res.status !== 200) throw new Error(`sandbox ${action} ${tid}: HTTP ${res.status} ${JSON.stringify(out.body)}`);
  return out.body;
}

/** The sandbox's newest payment (what KakaoPay knows), by partner_order_id if given. */
export async function sandboxPayments(demo) {
  const res = await fetch(`${demo.sandbox}/sandbox/payments`, { signal: AbortSignal.timeout(STEP_MS) });
  return (await json(res, "sandbox payments")).body;
}

/** The merchant's server side: the I'mport REST API with the demo merchant's key. */
export async function restApi(demo) {
  const res = await fetch(`${demo.gateway}/users/getToken`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ imp_key: demo.imp_key, imp_secret: demo.imp_secret }),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const { body } = await json(res, "getToken");
  if (body.code !== 0) throw new Error(`getToken refused: ${JSON.stringify(body)}`);
  const token = body.response.access_token;
  const get = async (path) => {
    const r = await fetch(`${demo.gateway}${path}`, {
      headers: { Authorization: token },
      signal: AbortSignal.timeout(STEP_MS),
    });
    return json(r, `GET ${path}`);
  };
  return {
    payment: async (impUid) => (await get(`/payments/${encodeURIComponent(impUid)}`)).body.response,
    byMerchantUid: async (uid) => (await get(`/payments/find/${encodeURIComponent(uid)}`)).body.response,
    /** Polls until the payment's status is `status` (webhooks and cancels are async). */
    async waitForStatus(impUid, status, timeout = STEP_MS) {
      const deadline = Date.now() + timeout;
      let last;
      for (;;) {
        last = (await get(`/payments/${encodeURIComponent(impUid)}`)).body.response;
        if (last && last.status === status) return last;
        if (Date.now() > deadline) {
          throw new Error(`payment ${impUid} is ${last && last.status}, not ${status}, after ${timeout} ms: ${JSON.stringify(last)}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  };
}

/** The shop's order row on /orders once its state is `state`; resolves with its attributes. */
export async function waitForOrderState(context, demo, merchantUid, state, timeout = STEP_MS) {
  const page = await context.newPage();
  try {
    const deadline = Date.now() + timeout;
    for (;;) {
      await page.goto(`${demo.shop}/orders`);
      const row = await page.$(`tr[data-merchant-uid="${merchantUid}"]`);
      const got = row && (await row.getAttribute("data-state"));
      if (got === state) {
        return {
          state: got,
          impUid: await row.getAttribute("data-imp-uid"),
          amount: Number(await row.getAttribute("data-amount")),
        };
      }
      if (Date.now() > deadline) {
        throw new Error(`order ${merchantUid} on /orders is ${got || "missing"}, not ${state}, after ${timeout} ms`);
      }
      await page.waitForTimeout(250);
    }
  } finally {
    await page.close();
  }
}

/** Waits for the shop page's #result to carry a verdict; resolves with {status, text}. */
export async function shopResult(page, timeout = STEP_MS) {
  const el = await page.waitForSelector("#result[data-status]", { timeout });
  return { status: await el.getAttribute("data-status"), text: await el.innerText() };
}

/** Opens the shop's product page; resolves with the order it rendered. */
export async function openShop(page, demo, query = "") {
  await page.goto(`${demo.shop}/${query}`);
  await page.waitForFunction(() => window.ORDER && window.IMP && typeof window.IMP.request_pay === "function");
  return page.evaluate(() => ({ ...window.ORDER }));
}

/**
 * Saves artifacts/<name>. With `publish`, also docs/images/<name> (committed, shown by the
 * docs) when that file does not exist yet or PAYGATE_E2E_UPDATE_DOCS=1: the QR code and order
 * number differ on every run, so an ordinary run must not dirty the work tree.
 */
export async function screenshot(pageOrFrame, name, { publish = false } = {}) {
  const file = join(ARTIFACTS, name);
  await pageOrFrame.screenshot({ path: file });
  const docImage = join(REPO_DIR, "docs", "images", name);
  if (publish && (process.env.PAYGATE_E2E_UPDATE_DOCS === "1" || !existsSync(docImage))) {
    mkdirSync(dirname(docImage), { recursive: true });
    copyFileSync(file, docImage);
  }
  return file;
}

/** Screenshot of a failed test's pages, so a red run leaves something to look at. */
export async function onFailure(t, context, tag = "") {
  if (!context) return;
  const safe = t.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
  let i = 0;
  for (const p of context.pages()) {
    await p.screenshot({ path: join(ARTIFACTS, `FAILED-${safe}${tag}-${i++}.png`) }).catch(() => {});
  }
}

/**
 * The fixture every test file uses: one `paygate demo` and one Chromium for the file (started
 * in `before`, stopped in `after`), and `scenario(name, device, fn)` which runs one bounded
 * test in a fresh browser context (a fresh device), screenshots its pages if it fails, and
 * closes it. `fn({demo, browser, context, page, dialogs, device, device2})`: device2() opens
 * a second, separate device/app (e.g. "KakaoTalk") that is closed and screenshotted the same.
 */
export function suite(name, { before, after, test }) {
  const state = { demo: null, browser: null };
  before(async () => {
    state.demo = await startDemo(name);
    state.browser = await launchBrowser();
  });
  after(async () => {
    if (state.browser) await state.browser.close().catch(() => {});
    if (state.demo) await state.demo.stop();
  });
  const scenario = (title, device, fn) =>
    test(title, { timeout: TEST_MS }, async (t) => {
      const buyer = await newBuyer(state.browser, device);
      const contexts = [buyer.context];
      const device2 = async (dev = device) => {
        const other = await newBuyer(state.browser, dev);
        contexts.push(other.context);
        return other;
      };
      try {
        await fn({ ...buyer, demo: state.demo, browser: state.browser, device2 });
      } catch (e) {
        for (const [i, c] of contexts.entries()) await onFailure(t, c, i ? `-device${i + 1}` : "");
        throw e;
      } finally {
        for (const c of contexts) await c.close().catch(() => {});
      }
    });
  return { state, scenario };
}

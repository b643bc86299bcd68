// The payment window (GET /v1/checkout/window), running inside the SDK's iframe on the
// gateway's origin. It receives the request_pay params from the SDK by postMessage, starts
// the payment with POST /v1/checkout (same origin: no CORS), shows the buyer what is paid
// for, then hands over to KakaoPay's page. The page is static: nothing the merchant or the
// buyer sent is ever put into markup, only into textContent.
(function () {
  "use strict";

  // Our own base path (`/v1` when served at /v1/checkout/window), so a gateway mounted under
  // a path prefix still works.
  var base = window.location.pathname.replace(/\/checkout\/window\/?$/, "");
  var ERROR_CODE = "F400";
  var parentWindow = window.parent !== window ? window.parent : null;
  // Where replies go: the origin the params came from (set once, by the first request).
  var sdkOrigin = null;
  var started = false;

  function el(id) {
    return document.getElementById(id);
  }

  function show(id, visible) {
    var node = el(id);
    if (node) {
      node.hidden = !visible;
    }
  }

  function setText(id, text) {
    var node = el(id);
    if (node) {
      node.textContent = text == null ? "" : String(text);
    }
  }

  function send(message) {
    if (!parentWindow) {
      return;
    }
    message.source = "paygate";
    // An opaque origin ("null": sandboxed or file:// merchant pages) cannot be targeted by
    // name; the receiver is still only our parent, which sent the params.
    var target = sdkOrigin && sdkOrigin !== "null" ? sdkOrigin : "*";
    try {
      parentWindow.postMessage(message, target);
    } catch (e) {
      // The parent navigated away; nobody is left to tell.
    }
  }

  function won(amount) {
    var n = Math.floor(Number(amount));
    if (!isFinite(n)) {
      return "";
    }
    var digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (n < 0 ? "-" : "") + digits + "원";
  }

  function fail(message, impUid, merchantUid) {
    setText("paygate-error", message);
    show("paygate-error", true);
    show("paygate-status", false);
    show("paygate-consent", false);
    send({
      type: "result",
      rsp: {
        success: false,
        imp_success: false,
        error_code: ERROR_CODE,
        error_msg: message,
        imp_uid: impUid || null,
        merchant_uid: merchantUid == null ? null : merchantUid,
        status: impUid ? "failed" : null,
        paid_amount: 0,
        pg_type: "payment"
      }
    });
  }

  function isIos() {
    var ua = navigator.userAgent || "";
    // iPadOS 13+ reports a Mac user agent; a touch screen gives it away.
    return /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
  }

  function withReturnScheme(url, scheme) {
    var hash = "";
    var at = url.indexOf("#");
    if (at >= 0) {
      hash = url.slice(at);
      url = url.slice(0, at);
    }
    var sep = url.indexOf("?") >= 0 ? "&" : "?";
    return url + sep + "return_scheme=" + encodeURIComponent(scheme) + hash;
  }

  function go(url) {
    setText("paygate-status", "카카오페이로 이동합니다…");
    show("paygate-status", true);
    window.location.href = url;
  }

  function start(request) {
    var params = request.params;
    var merchantUid = params && typeof params === "object" ? params.merchant_uid : null;
    var channel = request.channel === "mobile" ? "mobile" : "pc";
    fetch(base + "/checkout", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      cache: "no-store",
      body: JSON.stringify({
        imp_code: request.imp_code,
        params: params,
        channel: channel,
        mode: "overlay"
      })
    })
      .then(function (r) {
        // Refusals come as 4xx with the envelope; only its JSON matters.
        return r.json();
      })
      .then(
        function (body) {
          var res = body && body.response;
          if (!body || body.code !== 0 || !res || !res.imp_uid) {
            var message =
              (body && typeof body.message === "string" && body.message) ||
              "결제를 시작하지 못했습니다.";
            fail(message, res && res.imp_uid, merchantUid);
            return;
          }
          var target = res.redirect_url;
          // Only ever hand the buyer to an http(s) page (what KakaoPay answered).
          if (typeof target !== "string" || !/^https?:\/\//i.test(target)) {
            fail("카카오페이 결제창 주소가 올바르지 않습니다.", res.imp_uid, res.merchant_uid);
            return;
          }
          if (channel === "mobile" && res.app_scheme) {
            target = withReturnScheme(target, res.app_scheme);
          }
          setText("paygate-merchant", res.merchant_name);
          setText("paygate-item", res.name || res.merchant_uid);
          setText("paygate-amount", won(res.amount));
          setText("paygate-buyer", res.buyer_name || "-");
          show("paygate-summary", true);
          send({
            type: "started",
            imp_uid: res.imp_uid,
            merchant_uid: res.merchant_uid,
            redirect_url: target
          });
          var consent = channel === "mobile" && isIos() && (params.kakaoOpenApp === true || params.kakaoOpenApp === "true");
          if (consent) {
            // iOS opens another app only from a user gesture (seed guide 1.1): ask first.
            show("paygate-status", false);
            show("paygate-consent", true);
            var open = el("paygate-open-app");
            open.addEventListener("click", function () {
              show("paygate-consent", false);
              go(target);
            });
            open.focus();
          } else {
            go(target);
          }
        },
        function () {
          fail("결제 서버에 연결하지 못했습니다. 잠시 후 다시 시도해 주세요.", null, merchantUid);
        }
      );
  }

  window.addEventListener("message", function (event) {
    // Only the page that embeds us may start a payment, and only once.
    if (!parentWindow || event.source !== parentWindow || started) {
      return;
    }
    var data = event.data;
    if (!data || data.source !== "paygate-sdk" || data.type !== "request_pay") {
      return;
    }
    started = true;
    sdkOrigin = event.origin;
    start(data);
  });

  function askToClose() {
    send({ type: "close" });
  }

  // Escape while focus is inside the window (the SDK's own listener cannot see it).
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") {
      askToClose();
    }
  });
  var cancel = el("paygate-cancel");
  if (cancel) {
    cancel.addEventListener("click", askToClose);
  }

  if (!parentWindow) {
    setText(
      "paygate-error",
      "이 페이지는 결제창입니다. 가맹점 페이지에서 IMP.request_pay 로 열어 주세요."
    );
    show("paygate-error", true);
    show("paygate-status", false);
    return;
  }
  // Tell the SDK we listen; it answers with the params. Carries no data, hence "*".
  try {
    parentWindow.postMessage({ source: "paygate", type: "ready" }, "*");
  } catch (e) {
    // Nothing to tell without a parent.
  }
})();

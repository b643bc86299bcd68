/*!
 * paygate browser SDK — I'mport V1 compatible `IMP` (init, request_pay, communicate).
 * Served by the gateway at /v1/iamport.js; the gateway is the origin this script came from.
 * Behaviour and message protocol: docs/sdk.md.
 */
(function (global) {
  "use strict";

  if (global.IMP && global.IMP.__paygate) {
    // Loaded twice: keep the first copy, it may hold an open payment window.
    return;
  }

  var CANCEL_MSG = "사용자가 결제를 취소하였습니다.";
  var ERROR_CODE = "F400";
  var POLL_MS = 2000;
  // How long the window page may take to say it is listening before we give up.
  var READY_TIMEOUT_MS = 20000;
  var CLOSE_TIMEOUT_MS = 5000;

  // The gateway is wherever this script was loaded from: captured now, because
  // document.currentScript is only set while the script first runs.
  function scriptUrl() {
    var current = document.currentScript;
    if (current && current.src) {
      return current.src;
    }
    var scripts = document.getElementsByTagName("script");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/iamport\.js(?:[?#]|$)/.test(scripts[i].src || "")) {
        return scripts[i].src;
      }
    }
    return null;
  }

  var gateway = null;
  try {
    var src = scriptUrl();
    if (src) {
      var url = new URL(src, document.baseURI);
      // `https://gw.example/v1/iamport.js` → base `https://gw.example/v1/`.
      gateway = { origin: url.origin, base: new URL(".", url).href };
    }
  } catch (e) {
    gateway = null;
  }

  var impCode = null;
  // The one payment window that may be open at a time.
  var session = null;

  function isObject(v) {
    return v !== null && typeof v === "object" && !Array.isArray(v);
  }

  function isMobile() {
    var ua = navigator.userAgent || "";
    return (
      /Android|iPhone|iPad|iPod|Mobile/.test(ua) ||
      // iPadOS 13+ reports a Mac user agent; a touch screen gives it away.
      (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1)
    );
  }

  function errorRsp(message, merchantUid, impUid) {
    return {
      success: false,
      imp_success: false,
      error_code: ERROR_CODE,
      error_msg: message,
      imp_uid: impUid || null,
      merchant_uid: merchantUid == null ? null : merchantUid,
      status: impUid ? "failed" : null,
      paid_amount: 0,
      pg_type: "payment"
    };
  }

  // The end of every request_pay: the callback, or else the merchant's m_redirect_url.
  function deliver(params, callback, rsp) {
    if (typeof callback === "function") {
      callback(rsp);
      return;
    }
    var target = isObject(params) && typeof params.m_redirect_url === "string" ? params.m_redirect_url : "";
    if (!/^https?:\/\//i.test(target)) {
      if (!rsp.success && global.console) {
        global.console.error("[IMP] " + rsp.error_msg);
      }
      return;
    }
    var query = new URLSearchParams();
    query.set("imp_uid", rsp.imp_uid || "");
    query.set("merchant_uid", rsp.merchant_uid == null ? "" : String(rsp.merchant_uid));
    query.set("imp_success", rsp.success ? "true" : "false");
    if (!rsp.success) {
      query.set("error_code", rsp.error_code || ERROR_CODE);
      query.set("error_msg", rsp.error_msg || "");
    }
    var hash = "";
    var at = target.indexOf("#");
    if (at >= 0) {
      hash = target.slice(at);
      target = target.slice(0, at);
    }
    var href = target + (target.indexOf("?") >= 0 ? "&" : "?") + query.toString() + hash;
    try {
      global.top.location.href = href;
    } catch (e) {
      // A cross-origin parent may refuse to be navigated: move our own frame instead.
      global.location.href = href;
    }
  }

  // Refusals found before any window opens still reach the callback, never as an exception,
  // and asynchronously like every other outcome.
  function refuse(params, callback, message) {
    var merchantUid = isObject(params) ? params.merchant_uid : null;
    setTimeout(function () {
      deliver(params, callback, errorRsp(message, merchantUid, null));
    }, 0);
  }

  function style(node, props) {
    // CSSOM rather than style attributes: a merchant's CSP may forbid inline style markup.
    for (var key in props) {
      if (Object.prototype.hasOwnProperty.call(props, key)) {
        node.style.setProperty(key, props[key]);
      }
    }
  }

  function buildOverlay(mobile) {
    var root = document.createElement("div");
    root.id = "paygate-overlay";
    root.setAttribute("role", "dialog");
    root.setAttribute("aria-modal", "true");
    root.setAttribute("aria-label", "결제창");
    style(root, {
      position: "fixed",
      top: "0",
      left: "0",
      right: "0",
      bottom: "0",
      "z-index": "2147483647",
      background: "rgba(0, 0, 0, 0.55)",
      display: "flex",
      "align-items": "center",
      "justify-content": "center",
      margin: "0",
      padding: "0"
    });
    var box = document.createElement("div");
    box.id = "paygate-box";
    style(
      box,
      mobile
        ? { position: "relative", width: "100%", height: "100%", background: "#fff" }
        : {
            position: "relative",
            width: "min(480px, 100vw)",
            height: "min(760px, 100vh)",
            background: "#fff",
            "border-radius": "12px",
            overflow: "hidden",
            "box-shadow": "0 10px 40px rgba(0, 0, 0, 0.3)"
          }
    );
    var frame = document.createElement("iframe");
    frame.id = "paygate-frame";
    frame.title = "결제창";
    style(frame, { width: "100%", height: "100%", border: "0", display: "block" });
    var close = document.createElement("button");
    close.id = "paygate-close";
    close.type = "button";
    close.setAttribute("aria-label", "결제창 닫기");
    close.textContent = "\u00d7";
    style(close, {
      position: "absolute",
      top: "6px",
      right: "8px",
      width: "36px",
      height: "36px",
      border: "0",
      "border-radius": "18px",
      background: "rgba(0, 0, 0, 0.08)",
      color: "#191919",
      "font-size": "24px",
      "line-height": "36px",
      padding: "0",
      cursor: "pointer",
      "z-index": "1"
    });
    box.appendChild(frame);
    box.appendChild(close);
    root.appendChild(box);
    return { root: root, frame: frame, close: close };
  }

  function Session(params, callback, channel) {
    this.params = params;
    this.callback = callback;
    this.channel = channel;
    this.impUid = null;
    this.merchantUid = params.merchant_uid == null ? null : params.merchant_uid;
    this.redirectUrl = null;
    this.finished = false;
    this.closing = false;
    this.sent = false;
    this.pollTimer = null;
    this.polling = false;
    this.readyTimer = null;
    this.previousFocus = document.activeElement;
    this.previousOverflow = document.documentElement.style.overflow;
    var self = this;
    this.onMessage = function (event) {
      self.message(event);
    };
    this.onKey = function (event) {
      if (event.key === "Escape" || event.key === "Esc") {
        event.preventDefault();
        self.cancel();
      }
    };
  }

  Session.prototype.open = function () {
    var self = this;
    var ui = buildOverlay(this.channel === "mobile");
    this.ui = ui;
    ui.close.addEventListener("click", function () {
      self.cancel();
    });
    global.addEventListener("message", this.onMessage);
    document.addEventListener("keydown", this.onKey, true);
    document.documentElement.style.overflow = "hidden";
    // Listen before the frame loads, so its first message cannot be missed.
    ui.frame.src = gateway.base + "checkout/window";
    document.body.appendChild(ui.root);
    try {
      ui.close.focus();
    } catch (e) {
      // Focus is a nicety (Escape works from the merchant page).
    }
    this.readyTimer = setTimeout(function () {
      if (!self.sent) {
        self.finish(errorRsp("결제창을 불러오지 못했습니다. 잠시 후 다시 시도해 주세요.", self.merchantUid, null));
      }
    }, READY_TIMEOUT_MS);
  };

  Session.prototype.post = function (message) {
    var target = this.ui && this.ui.frame.contentWindow;
    if (target) {
      message.source = "paygate-sdk";
      target.postMessage(message, gateway.origin);
    }
  };

  Session.prototype.message = function (event) {
    // Only our own frame, on the gateway's origin, is listened to.
    if (this.finished || !this.ui || event.origin !== gateway.origin || event.source !== this.ui.frame.contentWindow) {
      return;
    }
    var data = event.data;
    if (!isObject(data) || data.source !== "paygate") {
      return;
    }
    switch (data.type) {
      case "ready":
        if (!this.sent) {
          this.sent = true;
          clearTimeout(this.readyTimer);
          this.post({ type: "request_pay", imp_code: impCode, channel: this.channel, params: this.params });
        }
        break;
      case "started":
        if (typeof data.imp_uid === "string") {
          this.impUid = data.imp_uid;
          this.merchantUid = data.merchant_uid == null ? this.merchantUid : data.merchant_uid;
          this.redirectUrl = typeof data.redirect_url === "string" ? data.redirect_url : null;
          this.startPolling();
        }
        break;
      case "result":
        if (isObject(data.rsp)) {
          this.settle(data.rsp);
        }
        break;
      case "close":
        this.cancel();
        break;
      default:
        break;
    }
  };

  // An outcome the gateway reported: final ones end the window; "ready"/"approving" (the
  // approval's outcome is being confirmed) keep it open while the status poll continues.
  Session.prototype.settle = function (rsp) {
    if (rsp.status === "ready" || rsp.status === "approving") {
      if (rsp.imp_uid && !this.impUid) {
        this.impUid = rsp.imp_uid;
        this.startPolling();
      }
      return;
    }
    this.finish(rsp);
  };

  Session.prototype.statusUrl = function () {
    return gateway.base + "checkout/" + encodeURIComponent(this.impUid) + "/status";
  };

  // The status endpoint answers CORS `*`, so the merchant page reads it directly; this is
  // how a window finishes when its own page could not tell us (app switch, lost message).
  Session.prototype.startPolling = function () {
    var self = this;
    if (this.pollTimer || !this.impUid) {
      return;
    }
    this.pollTimer = setInterval(function () {
      self.poll();
    }, POLL_MS);
  };

  Session.prototype.poll = function () {
    var self = this;
    if (this.polling || this.finished || this.closing || !this.impUid) {
      return;
    }
    this.polling = true;
    this.fetchStatus().then(function (rsp) {
      self.polling = false;
      if (rsp && !self.closing && (rsp.status === "paid" || rsp.status === "failed" || rsp.status === "cancelled")) {
        self.finish(rsp);
      }
    });
  };

  // Resolves with the rsp, or null when it could not be read (never rejects).
  Session.prototype.fetchStatus = function () {
    return fetch(this.statusUrl(), { cache: "no-store", credentials: "omit" })
      .then(function (r) {
        return r.json();
      })
      .then(function (body) {
        return body && body.code === 0 && isObject(body.response) ? body.response : null;
      })
      .catch(function () {
        return null;
      });
  };

  // The buyer gave up (×, Escape, the window's 취소, or communicate cancel).
  Session.prototype.cancel = function () {
    var self = this;
    if (this.finished || this.closing) {
      return;
    }
    this.closing = true;
    this.stopPolling();
    this.teardown();
    // The overlay is gone: the buyer may start again while the close is confirmed.
    if (session === this) {
      session = null;
    }
    var cancelled = errorRsp(CANCEL_MSG, this.merchantUid, this.impUid);
    if (!this.impUid) {
      this.finish(cancelled);
      return;
    }
    // A body-less POST is a "simple" cross-origin request: it reaches the gateway without a
    // preflight; its answer is opaque to us, so the outcome is read from the status after.
    var closed = fetch(gateway.base + "checkout/" + encodeURIComponent(this.impUid) + "/close", {
      method: "POST",
      mode: "no-cors",
      credentials: "omit",
      keepalive: true
    }).catch(function () {
      return null;
    });
    var timeout = new Promise(function (resolve) {
      setTimeout(resolve, CLOSE_TIMEOUT_MS);
    });
    Promise.race([
      closed.then(function () {
        return self.fetchStatus();
      }),
      timeout.then(function () {
        return null;
      })
    ]).then(function (rsp) {
      // What the gateway recorded wins: if the payment was paid meanwhile, say so. A payment
      // still "ready" (the close did not land) is reported as the buyer's cancel.
      self.finish(rsp && rsp.status && rsp.status !== "ready" ? rsp : cancelled);
    });
  };

  Session.prototype.stopPolling = function () {
    if (this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = null;
    }
  };

  Session.prototype.teardown = function () {
    clearTimeout(this.readyTimer);
    global.removeEventListener("message", this.onMessage);
    document.removeEventListener("keydown", this.onKey, true);
    if (this.ui && this.ui.root.parentNode) {
      this.ui.root.parentNode.removeChild(this.ui.root);
    }
    this.ui = null;
    document.documentElement.style.overflow = this.previousOverflow;
    if (this.previousFocus && typeof this.previousFocus.focus === "function") {
      try {
        this.previousFocus.focus();
      } catch (e) {
        // The element may be gone.
      }
    }
  };

  Session.prototype.finish = function (rsp) {
    if (this.finished) {
      return;
    }
    this.finished = true;
    this.stopPolling();
    this.teardown();
    if (session === this) {
      session = null;
    }
    deliver(this.params, this.callback, rsp);
  };

  // communicate({result: 'process'}): the app's WebView is back from KakaoTalk. Reload the
  // KakaoPay page (it polls and forwards to the approval URL) and check the status now.
  Session.prototype.resume = function () {
    if (this.finished || this.closing) {
      return;
    }
    if (this.ui && this.redirectUrl) {
      this.ui.frame.src = this.redirectUrl;
    }
    this.startPolling();
    this.poll();
  };

  function init(code) {
    impCode = typeof code === "string" && code ? code : null;
  }

  function request_pay(params, callback) {
    if (!impCode) {
      refuse(params, callback, "IMP.init(가맹점 식별코드)을 먼저 호출해야 합니다.");
      return;
    }
    if (!isObject(params)) {
      refuse(params, callback, "결제 파라메터(param)는 객체여야 합니다.");
      return;
    }
    if (!gateway) {
      refuse(params, callback, "결제 모듈(iamport.js)의 주소를 알 수 없습니다.");
      return;
    }
    if (session) {
      refuse(params, callback, "이미 결제창이 열려 있습니다.");
      return;
    }
    if (!document.body) {
      refuse(params, callback, "페이지가 로드된 뒤 IMP.request_pay 를 호출해야 합니다.");
      return;
    }
    var plain;
    try {
      // postMessage cannot carry functions or DOM nodes; JSON is what the gateway reads.
      plain = JSON.parse(JSON.stringify(params));
    } catch (e) {
      refuse(params, callback, "결제 파라메터를 JSON 으로 변환할 수 없습니다.");
      return;
    }
    // An app's WebView (app_scheme given) always uses the mobile flow: KakaoTalk returns to it.
    var channel = isMobile() || plain.app_scheme ? "mobile" : "pc";
    session = new Session(plain, callback, channel);
    try {
      session.open();
    } catch (e) {
      var failed = session;
      session = null;
      failed.finished = true;
      failed.teardown();
      refuse(params, callback, "결제창을 열지 못했습니다.");
    }
  }

  function communicate(message) {
    var result = isObject(message) ? message.result : null;
    if (!session) {
      return;
    }
    if (result === "process") {
      session.resume();
    } else if (result === "cancel") {
      session.cancel();
    }
  }

  global.IMP = {
    __paygate: true,
    init: init,
    request_pay: request_pay,
    communicate: communicate
  };
})(window);

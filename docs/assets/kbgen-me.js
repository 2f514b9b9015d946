/* kbgen: "your settings" — the reader's own address in every username, example
 * address and mail.{domain} host of the page, without a login and without
 * sending the address anywhere.
 *
 * The templates mark each value that depends on the reader's address with
 * data-kb-me="<pattern>": "{address}", "{local}" (the part before the @) or a
 * host such as "mail.{domain}". A host that does not depend on the customer's
 * domain is never marked, so it never changes. This file only fills the marked
 * elements, always as text (textContent), never as HTML.
 *
 * The address comes from the field near the top of a guide, or from ?email= /
 * #email= in the address (a link in a welcome email, or the settings card's QR
 * code); it is removed from the address bar at once (history.replaceState), so
 * it is not kept in the history nor sent on as a Referer. It is kept in
 * sessionStorage (this tab, until it is closed) and, only when the reader ticks
 * "Remember on this device", in localStorage. Nothing here makes a request that
 * carries it: the one request this file makes fetches the profile templates.
 *
 * Without JavaScript the field stays hidden and the pages read as they are built.
 */
(function () {
  "use strict";

  var KEY = "kbgen-me";
  var MAX_ADDRESS = 254;  // RFC 5321: the longest path a mail server accepts
  var MAX_LOCAL = 64;
  var MAX_DOMAIN = 253;
  // RFC 5322 dot-atom; quoted local parts and non-ASCII ones (SMTPUTF8) are refused:
  // few mail servers accept them, and they are where look-alike tricks hide.
  var LOCAL = /^[A-Za-z0-9!#$%&'*+\/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+\/=?^_`{|}~-]+)*$/;
  var LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
  // Characters the URL parser would read as a port, path, query, user or IPv6 host:
  // they are refused before the domain reaches it, so nothing is silently dropped.
  var NOT_IN_DOMAIN = /[\s\/\\?#:@\[\]%<>"'`^{}|;,()]/;
  var INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb]/;

  var MESSAGES = {
    empty: "Type your email address first.",
    tooLong: "That is too long for an email address (at most 254 characters).",
    invisible: "That contains an invisible or control character. Type the address again by hand.",
    at: "An email address has exactly one @, between your name and your domain (name@domain).",
    local: "The part before the @ can hold letters a–z, digits and . _ - + only (no spaces, quotes or accents).",
    domain: "The part after the @ must be a domain name: words separated by dots, with no spaces or other signs."
  };

  // ---- the address: checked, normalised ----------------------------------------

  /** The reader's address as {address, local, domain}, or {error: message}. */
  function parse(raw) {
    var text = String(raw == null ? "" : raw).trim();
    if (!text) { return { error: MESSAGES.empty }; }
    if (text.length > MAX_ADDRESS * 2) { return { error: MESSAGES.tooLong }; }
    if (INVISIBLE.test(text)) { return { error: MESSAGES.invisible }; }
    var at = text.indexOf("@");
    if (at < 1 || at !== text.lastIndexOf("@") || at === text.length - 1) {
      return { error: MESSAGES.at };
    }
    var local = text.slice(0, at);
    if (local.length > MAX_LOCAL || !LOCAL.test(local)) { return { error: MESSAGES.local }; }
    var domain = asciiDomain(text.slice(at + 1));
    if (!domain) { return { error: MESSAGES.domain }; }
    var address = local + "@" + domain;
    if (address.length > MAX_ADDRESS) { return { error: MESSAGES.tooLong }; }
    return { address: address, local: local, domain: domain };
  }

  /** The domain in its ASCII (punycode) form, as the browser's own URL parser makes
   *  it (UTS #46), or "" when it is not a host name mail can be addressed to. */
  function asciiDomain(typed) {
    if (!typed || NOT_IN_DOMAIN.test(typed)) { return ""; }
    var host;
    try {
      host = new URL("http://" + typed + "/").hostname;
    } catch (err) {
      return "";
    }
    if (!host || host.length > MAX_DOMAIN || host.charAt(host.length - 1) === ".") { return ""; }
    var labels = host.split(".");
    if (labels.length < 2) { return ""; }
    for (var i = 0; i < labels.length; i++) {
      if (!LABEL.test(labels[i])) { return ""; }
    }
    // An all-digit last label is an IP address (the URL parser turns 0x7f.1 into
    // 127.0.0.1): not a mail domain.
    if (/^[0-9]+$/.test(labels[labels.length - 1])) { return ""; }
    return host;
  }

  function fill(pattern, me) {
    // One pass: a value that happens to contain "{domain}" is not filled again.
    return pattern.replace(/\{(address|local|domain)\}/g, function (whole, name) {
      return me[name];
    });
  }

  // ---- storage: this tab always, this device only when ticked --------------------

  function store(kind) {
    try {
      var s = window[kind];
      return s && typeof s.getItem === "function" ? s : null;
    } catch (err) {
      return null;  // storage disabled (some private modes): the page still works
    }
  }

  function read(kind) {
    var s = store(kind);
    try { return s ? s.getItem(KEY) : null; } catch (err) { return null; }
  }

  function write(kind, value) {
    var s = store(kind);
    if (!s) { return; }
    try {
      if (value === null) { s.removeItem(KEY); } else { s.setItem(KEY, value); }
    } catch (err) { /* full or refused: forgotten, as if not ticked */ }
  }

  // ---- the page: marked values filled in, or put back ---------------------------

  var originals = new WeakMap();

  function dotted(target, value, button) {
    // Host names and usernames wrap only after a dot (the templates' <wbr> markup).
    var parts = value.split(".");
    parts.forEach(function (part, i) {
      var span = document.createElement("span");
      span.className = "kb-nobr";
      span.textContent = i < parts.length - 1 ? part + "." : part;
      target.appendChild(span);
      if (i < parts.length - 1) {
        target.appendChild(document.createElement("wbr"));
      } else if (button) {
        span.appendChild(button);
      }
    });
  }

  function show(el, value) {
    var button = el.querySelector("button[data-kb-copy]");
    if (!originals.has(el)) {
      originals.set(el, {
        nodes: Array.prototype.map.call(el.childNodes, function (n) { return n.cloneNode(true); }),
        copy: button ? button.dataset.kbCopy : null,
        label: button ? button.getAttribute("aria-label") : null
      });
    }
    var saved = originals.get(el);
    var wrapped = el.querySelector(".kb-nobr") !== null;
    if (button) {
      // The live button keeps the listener kbgen.js gave it; only what it copies changes.
      button.dataset.kbCopy = value;
      if (saved.copy && saved.label && saved.label.indexOf(saved.copy) !== -1) {
        button.setAttribute("aria-label", saved.label.split(saved.copy).join(value));
      }
      button.remove();
    }
    el.replaceChildren();
    if (wrapped) {
      dotted(el, value, button);
    } else {
      el.textContent = value;
      if (button) { el.appendChild(button); }
    }
    el.setAttribute("data-kb-me-shown", "");
  }

  function restore(el) {
    var saved = originals.get(el);
    if (!saved) { return; }
    var live = el.querySelector("button[data-kb-copy]");
    if (live) { live.remove(); }
    el.replaceChildren.apply(el, saved.nodes.map(function (n) { return n.cloneNode(true); }));
    var copy = el.querySelector("button[data-kb-copy]");
    if (live && copy) {
      copy.replaceWith(live);
      live.dataset.kbCopy = saved.copy;
      live.setAttribute("aria-label", saved.label);
    }
    el.removeAttribute("data-kb-me-shown");
  }

  function each(root, selector, fn) {
    Array.prototype.forEach.call(root.querySelectorAll(selector), fn);
  }

  var current = null;  // {address, local, domain} shown on the page, or null

  function apply(me) {
    current = me;
    each(document, "[data-kb-me]", function (el) {
      if (me) { show(el, fill(el.getAttribute("data-kb-me"), me)); } else { restore(el); }
    });
    each(document, "[data-kb-me-when]", function (el) {
      // Parts that only make sense with an address ("Showing the settings for …",
      // the profile and card links) and those only without one.
      el.hidden = (el.getAttribute("data-kb-me-when") === "set") !== Boolean(me);
    });
    each(document, "[data-kb-me-qr]", function (el) { qr(el, me); });
    each(document, "form[data-kb-me-form]", function (form) { sync(form); });
    document.documentElement.toggleAttribute("data-kb-me-active", Boolean(me));
  }

  // ---- the form -----------------------------------------------------------------

  function sync(form) {
    var input = form.querySelector("[data-kb-me-input]");
    var remember = form.querySelector("[data-kb-me-remember]");
    if (input && current && document.activeElement !== input) { input.value = current.address; }
    if (input && !current && document.activeElement !== input) { input.value = ""; }
    if (remember) { remember.checked = Boolean(current) && read("localStorage") === current.address; }
  }

  function say(form, message) {
    var slot = form.querySelector("[data-kb-me-error]");
    var input = form.querySelector("[data-kb-me-input]");
    if (slot) {
      slot.textContent = message || "";
      slot.hidden = !message;
    }
    if (input) {
      if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    }
  }

  function choose(me, remember) {
    write("sessionStorage", me.address);
    if (remember) { write("localStorage", me.address); }
    // A different address replaces a remembered one only when the reader ticks the box.
    else if (read("localStorage") !== null && read("localStorage") !== me.address) { write("localStorage", null); }
    apply(me);
  }

  function forget() {
    write("sessionStorage", null);
    write("localStorage", null);
    apply(null);
  }

  function initForm(form) {
    if (form.dataset.kbMeReady) { return; }
    form.dataset.kbMeReady = "1";
    var input = form.querySelector("[data-kb-me-input]");
    var remember = form.querySelector("[data-kb-me-remember]");
    form.hidden = false;

    form.addEventListener("submit", function (event) {
      // Never sent: the field has no name and the form is only ever handled here.
      event.preventDefault();
      var me = parse(input ? input.value : "");
      if (me.error) {
        say(form, me.error);
        if (input) { input.focus(); }
        return;
      }
      say(form, "");
      choose(me, Boolean(remember && remember.checked));
    });
    if (remember) {
      remember.addEventListener("change", function () {
        if (!current) { return; }  // ticked before typing: used on submit
        write("localStorage", remember.checked ? current.address : null);
      });
    }
    each(form, "[data-kb-me-profile]", function (button) {
      button.addEventListener("click", function () { download(form, button); });
    });
  }

  function initClear(root) {
    each(root, "[data-kb-me-clear]", function (button) {
      if (button.dataset.kbMeReady) { return; }
      button.dataset.kbMeReady = "1";
      button.addEventListener("click", function () {
        forget();
        var form = button.closest("form[data-kb-me-form]") || document.querySelector("form[data-kb-me-form]");
        var input = form && form.querySelector("[data-kb-me-input]");
        if (form) { say(form, ""); }
        if (input) { input.focus(); }
      });
    });
  }

  // ---- the address in the URL: read once, then removed ----------------------------

  function fromLocation() {
    var found = null;
    var url = new URL(window.location.href);
    if (url.searchParams.has("email")) {
      found = url.searchParams.get("email");
      url.searchParams.delete("email");
    }
    if (/^#email=/.test(url.hash)) {
      var hashed = new URLSearchParams(url.hash.slice(1));
      if (found === null) { found = hashed.get("email"); }
      url.hash = "";
    }
    if (found !== null) {
      var clean = url.pathname + url.search + (url.hash && url.hash !== "#" ? url.hash : "");
      window.history.replaceState(window.history.state, "", clean);
    }
    return found;
  }

  // ---- Apple profile, made in the browser ------------------------------------------

  function xmlText(value) {
    return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&apos;");
  }

  function uuid() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;  // version 4
    b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
    var hex = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return (hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
            hex.slice(16, 20) + "-" + hex.slice(20)).toUpperCase();
  }

  /** The profile template (a plist the build writes, kbgen/mailapps/autoconfig.py) made
   *  out for this address; ``name`` is what others see as the sender ("" = asked on install). */
  function profileFor(template, me, name) {
    var id = Array.prototype.map.call(me.address, function (c) {
      return c.charCodeAt(0).toString(16);
    }).join("");
    var values = {
      EMAILADDRESS: me.address, EMAILLOCALPART: me.local, EMAILDOMAIN: me.domain,
      EMAILID: id, ACCOUNTNAME: name, PROFILEUUID: uuid(), PAYLOADUUID: uuid()
    };
    if (!name) {
      template = template.replace(/\s*<key>EmailAccountName<\/key>\s*<string>%ACCOUNTNAME%<\/string>/, "");
    }
    // One pass over the template: a value is never read again as a marker.
    return template.replace(/%(EMAILADDRESS|EMAILLOCALPART|EMAILDOMAIN|EMAILID|ACCOUNTNAME|PROFILEUUID|PAYLOADUUID)%/g,
      function (whole, key) { return xmlText(values[key]); });
  }

  /** The sender name typed for the profile: "" (none), the name, or null when refused. */
  function senderName(form) {
    var field = form.querySelector("[data-kb-me-name]");
    var name = field ? field.value.trim() : "";
    if (name.length > 100 || INVISIBLE.test(name) || /[<>]/.test(name)) { return null; }
    return name;
  }

  var templates = null;

  function download(form, button) {
    if (!current) { return; }
    var me = current;
    var url = form.getAttribute("data-kb-me-profiles");
    var protocol = button.getAttribute("data-kb-me-profile");
    var status = form.querySelector("[data-kb-me-profile-status]");
    var name = senderName(form);
    if (name === null) {
      if (status) { status.textContent = "Type your name as others should see it: up to 100 characters, without < or >."; }
      return;
    }
    if (!templates) {
      // The request names no address: the same file for everyone.
      templates = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
    }
    templates.then(function (all) {
      if (!all[protocol]) { throw new Error("no profile for " + protocol); }
      var blob = new Blob([profileFor(all[protocol], me, name)], { type: "application/x-apple-aspen-config" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "email-" + protocol + "-" + me.address.replace(/[^A-Za-z0-9._-]/g, "_") + ".mobileconfig";
      link.hidden = true;
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
      if (status) { status.textContent = ""; }
    }).catch(function () {
      templates = null;
      if (status) { status.textContent = "Sorry, the profile could not be made. Please try again, or follow the steps below."; }
    });
  }

  // ---- QR code on the settings card --------------------------------------------------

  var qrLibrary = null;

  function loadQr(src) {
    if (window.qrcode) { return Promise.resolve(window.qrcode); }
    if (!qrLibrary) {
      qrLibrary = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { resolve(window.qrcode); };
        script.onerror = function () { qrLibrary = null; reject(new Error("QR library")); };
        document.head.appendChild(script);
      });
    }
    return qrLibrary;
  }

  var SVG = "http://www.w3.org/2000/svg";

  function qr(el, me) {
    var slot = el.querySelector("[data-kb-me-qr-code]") || el;
    slot.replaceChildren();
    if (!me) { return; }
    // The fragment never reaches a server: the phone opens the card with the address
    // filled in, and the page removes it from the address bar as it reads it.
    var target = window.location.origin + window.location.pathname + "#email=" + encodeURIComponent(me.address);
    loadQr(el.getAttribute("data-kb-me-qr")).then(function (make) {
      if (current !== me) { return; }  // cleared or changed meanwhile
      var code = make(0, "M");
      code.addData(target);
      code.make();
      var n = code.getModuleCount();
      var quiet = 4;  // the quiet zone scanners need around the code
      var d = [];
      for (var r = 0; r < n; r++) {
        for (var c = 0; c < n; c++) {
          if (code.isDark(r, c)) { d.push("M" + (c + quiet) + " " + (r + quiet) + "h1v1h-1z"); }
        }
      }
      var svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("viewBox", "0 0 " + (n + 2 * quiet) + " " + (n + 2 * quiet));
      svg.setAttribute("role", "img");
      svg.setAttribute("class", "kb-me-qr__svg");
      svg.setAttribute("shape-rendering", "crispEdges");
      var title = document.createElementNS(SVG, "title");
      title.textContent = el.getAttribute("data-kb-me-qr-label") || "QR code";
      var back = document.createElementNS(SVG, "rect");
      back.setAttribute("width", "100%");
      back.setAttribute("height", "100%");
      back.setAttribute("fill", "#fff");
      var path = document.createElementNS(SVG, "path");
      path.setAttribute("d", d.join(""));
      path.setAttribute("fill", "#000");
      svg.appendChild(title);
      svg.appendChild(back);
      svg.appendChild(path);
      slot.replaceChildren(svg);
      el.setAttribute("data-kb-me-qr-for", target);
    }).catch(function () {
      slot.textContent = "The QR code could not be drawn.";
    });
  }

  // ---- start ------------------------------------------------------------------------

  var fromUrl = fromLocation();  // first of all: out of the address bar before anything else

  function init() {
    each(document, "form[data-kb-me-form]", initForm);
    initClear(document);
    var me = null;
    if (fromUrl !== null) {
      var parsed = parse(fromUrl);
      fromUrl = null;
      if (parsed.error) {
        each(document, "form[data-kb-me-form]", function (form) { say(form, parsed.error); });
      } else {
        write("sessionStorage", parsed.address);
        if (read("localStorage") !== null && read("localStorage") !== parsed.address) { write("localStorage", null); }
        me = parsed;
      }
    }
    if (!me) {
      var saved = read("sessionStorage") || read("localStorage");
      var again = saved ? parse(saved) : null;
      if (again && !again.error) { me = again; } else if (saved) { forget(); }
    }
    apply(me);
  }

  window.kbgenMe = { parse: parse };  // for the tests and the browser console

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/* kbgen: the article page's print button, the copy buttons next to server
 * settings and the "Was this answer helpful?" form.
 *
 * Every behaviour is attached from this file: the templates hold no inline
 * script and no on* attributes, so a Content-Security-Policy without
 * 'unsafe-inline' allows the page. Without JavaScript the form still works as a
 * plain POST to the thank-you page, and the print button stays hidden.
 */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // "26 November 2026", the same form as the build's "Last updated" date.
  var DAY_FORMAT = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric" });

  function initPrint(root) {
    var stamp = root.querySelector("[data-kb-printed]");
    var fillDate = function () {
      if (!stamp) { return; }
      // A <time> is created only when it has a date: an empty one is invalid HTML.
      var slot = stamp.querySelector("[data-kb-printed-date]");
      var now = new Date();
      var time = document.createElement("time");
      time.textContent = DAY_FORMAT.format(now);
      time.setAttribute("datetime", now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()));
      slot.replaceChildren(time);
      stamp.hidden = false;
    };
    fillDate();
    if (!window.kbgenPrintHook) {
      window.kbgenPrintHook = true;
      window.addEventListener("beforeprint", function () { initPrint(document); });
    }
    root.querySelectorAll("[data-kb-print]").forEach(function (button) {
      if (button.dataset.kbReady) { return; }
      button.dataset.kbReady = "1";
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // Ties the optional details (part=details) to the vote they explain (part=vote).
  function newVoteId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function initFeedback(form) {
    if (form.dataset.kbReady) { return; }
    form.dataset.kbReady = "1";
    var more = form.querySelector("[data-kb-more]");
    var no = form.querySelector("[data-kb-no]");
    var status = form.querySelector("[data-kb-status]");
    var choices = form.querySelector("[data-kb-choices]");
    var hint = form.querySelector("[data-kb-support-hint]");
    var voteId = newVoteId();
    var busy = false;

    // With JavaScript the reasons wait until "No" has been recorded.
    more.hidden = true;
    no.setAttribute("aria-controls", more.id);

    function say(text) {
      status.textContent = text;
    }

    function post(data) {
      return fetch(form.dataset.kbPostTo || form.action, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(data).toString(),
        credentials: "same-origin"
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
      });
    }

    function fields(part, rating, withDetails) {
      var data = new FormData(form);
      data.delete("rating");
      data.set("rating", rating);
      data.set("part", part);
      data.set("vote-id", voteId);
      if (!withDetails) {
        data.delete("reason");
        data.delete("comment");
      }
      return data;
    }

    // The vote itself, sent the moment Yes or No is pressed.
    function vote(rating) {
      busy = true;
      post(fields("vote", rating, false)).then(function () {
        choices.hidden = true;
        form.classList.add("kb-feedback__form--voted");
        if (rating === "yes") {
          form.classList.add("kb-feedback__form--sent");
          say(status.dataset.kbThanks);
          status.focus();
          return;
        }
        say(status.dataset.kbNoThanks);
        if (hint) { hint.hidden = false; }
        more.hidden = false;
        var first = more.querySelector("input, textarea");
        if (first) { first.focus(); }
      }).catch(function () {
        say(status.dataset.kbError);
      }).then(function () {
        busy = false;
      });
    }

    // What went wrong, as a second submission tied to the vote by vote-id.
    function details() {
      var data = fields("details", "no", true);
      var said = (data.get("reason") || "") + (data.get("comment") || "").trim();
      var done = function () {
        more.hidden = true;
        form.classList.add("kb-feedback__form--sent");
        say(status.dataset.kbThanks);
        status.focus();
      };
      if (!said) { done(); return; }  // nothing to add: the vote is already counted
      busy = true;
      post(data).then(done).catch(function () {
        say(status.dataset.kbError);
      }).then(function () {
        busy = false;
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) { return; }
      var button = event.submitter;
      if (button && button.hasAttribute("data-kb-send")) {
        details();
        return;
      }
      vote(button && button.value === "yes" ? "yes" : "no");
    });
  }

  // One polite live region per page tells screen-reader users that a copy worked.
  function copyStatus() {
    var region = document.querySelector("[data-kb-copy-status]");
    if (!region) {
      region = document.createElement("p");
      region.className = "kb-sr-only";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      region.setAttribute("data-kb-copy-status", "");
      document.body.appendChild(region);
    }
    return region;
  }

  // The asynchronous clipboard needs a secure context (https, localhost); elsewhere
  // the old selection-based copy still works.
  function writeText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "kb-sr-only";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
      area.remove();
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function initCopy(root) {
    root.querySelectorAll("button[data-kb-copy]").forEach(function (button) {
      if (button.dataset.kbReady) { return; }
      button.dataset.kbReady = "1";
      button.hidden = false;
      var timer = null;
      button.addEventListener("click", function () {
        var status = copyStatus();
        writeText(button.dataset.kbCopy).then(function () {
          button.setAttribute("data-kb-copied", "");
          button.title = "Copied";
          // Emptied first, so copying the same value twice is announced twice.
          status.textContent = "";
          window.setTimeout(function () { status.textContent = "Copied"; }, 50);
          window.clearTimeout(timer);
          timer = window.setTimeout(function () {
            button.removeAttribute("data-kb-copied");
            button.title = "Copy";
          }, 2000);
        }).catch(function () {
          status.textContent = "Could not copy; select the text instead";
        });
      });
    });
  }

  // The home page's search field opens Material's own search with the words typed,
  // the way Material opens it for a ?q= address. Without Material's search (or
  // without JavaScript) the form submits normally and lands on the topic list.
  function initSearch(form) {
    if (form.dataset.kbReady) { return; }
    form.dataset.kbReady = "1";
    form.addEventListener("submit", function (event) {
      var toggle = document.querySelector("input[data-md-toggle='search']");
      var input = document.querySelector("input.md-search__input");
      var field = form.querySelector("input[name='q']");
      if (!toggle || !input || !field) { return; }
      event.preventDefault();
      if (!toggle.checked) {
        toggle.checked = true;
        toggle.dispatchEvent(new Event("change"));
      }
      input.value = field.value.trim();
      input.focus();
      // Material reads the query on keyup (and on focus).
      input.dispatchEvent(new KeyboardEvent("keyup"));
    });
  }

  function init() {
    initPrint(document);
    initCopy(document);
    document.querySelectorAll("form[data-kb-feedback]").forEach(initFeedback);
    document.querySelectorAll("form[data-kb-search]").forEach(initSearch);
  }

  // Material's instant navigation swaps pages without a load event; document$
  // announces each page. Without it, the DOM is ready once this deferred file runs.
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

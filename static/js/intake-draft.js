/* Autosave of the intake form to the person's server-side draft (incidents/drafts.py).
 *
 * Saves a moment after typing stops, when the page is hidden or closed, and again when the
 * connection comes back. Nothing is kept in the browser: a draft holds survivor data, so it
 * lives only on the server, encrypted; while offline, what was typed stays in this page and
 * is sent when the link returns. Without this script the "Save draft" button does the same.
 *
 * On submit, the save on its way (and what changed since) goes first: its draft id then rides
 * with the submit, which deletes that draft, so no stray draft is left behind; offline, the
 * submit is held back and the page says so, rather than leaving for a browser error page.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-url]");
  if (!form || !window.fetch || !window.FormData || !window.Promise) { return; }
  var status = document.getElementById("draft-status");
  var draftInput = form.querySelector('input[name="draft"]');
  var versionInput = form.querySelector('input[name="draft_version"]');
  var PAUSE_MS = 1500;   // after the last keystroke
  var RETRY_MS = 10000;  // while offline or failing
  var timer = null;
  var pending = null;    // the save on its way: a promise of "the server answered" (true/false)
  var dirty = false;
  var leaving = false;   // the submit was let through: nothing more to save
  var held = false;      // a submit was held back offline: the page keeps saying so until a save goes through

  function say(key, text) {
    if (!status) { return; }
    var shown = text || status.getAttribute("data-" + key);
    if (shown) { status.textContent = shown; }
    status.classList.toggle("warn", key === "offline" || key === "failed" || key === "held");
  }

  function later(ms) {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, ms);
  }

  function save(keepalive) {
    if (leaving || !dirty) { return pending || Promise.resolve(true); }
    if (pending) { later(PAUSE_MS); return pending; }
    dirty = false;
    var body = new FormData(form);
    body.delete("save_draft");
    pending = fetch(form.getAttribute("data-draft-url"), {
      method: "POST", body: body, credentials: "same-origin", keepalive: keepalive === true,
      headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.ok) {
          draftInput.value = answer.id;
          versionInput.value = answer.version;
        } else if (response.status >= 500) {
          dirty = true;
          later(RETRY_MS);
        }
        if (response.ok) { held = false; }
        if (response.ok && dirty) {
          say("unsaved");  // typed on while this save was on its way: the next one is due
        } else {
          say(response.ok ? "saved" : "failed", answer.message);
        }
        return true;
      });
    }, function () {
      // No answer at all: offline, or the link dropped. Keep trying; "online" retries at once.
      dirty = true;
      say(held ? "held" : navigator.onLine ? "failed" : "offline");
      later(RETRY_MS);
      return false;
    }).then(function (answered) { pending = null; return answered; });
    return pending;
  }

  function changed() {
    dirty = true;
    say(held ? "held" : navigator.onLine ? "unsaved" : "offline");
    later(PAUSE_MS);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (event) {
    if (leaving) { return; }
    event.preventDefault();
    var submitter = event.submitter || null;
    if (!navigator.onLine) { held = true; say("held"); return; }
    window.clearTimeout(timer);
    (pending || Promise.resolve(true)).then(function () { return save(); }).then(function (answered) {
      if (!answered) { held = true; say("held"); return; }
      leaving = true;
      // A task later: while this submit event is still being dispatched, the browser ignores another.
      window.setTimeout(function () {
        if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
      }, 0);
    });
  });
  window.addEventListener("online", function () { save(); });
  window.addEventListener("offline", function () {
    if (dirty) { say(held ? "held" : "offline"); }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { save(true); }
  });
  window.addEventListener("pagehide", function () { save(true); });
}());

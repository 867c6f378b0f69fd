/* Autosave of the intake form to the person's server-side draft (incidents/drafts.py).
 *
 * Saves a moment after typing stops, when the page is hidden or closed, and again when the
 * connection comes back. Nothing is kept in the browser: a draft holds survivor data, so it
 * lives only on the server, encrypted. Without this script the "Save draft" button does the same.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-url]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = document.getElementById("draft-status");
  var draftInput = form.querySelector('input[name="draft"]');
  var versionInput = form.querySelector('input[name="draft_version"]');
  var PAUSE_MS = 1500;   // after the last keystroke
  var RETRY_MS = 10000;  // while offline or failing
  var timer = null;
  var inFlight = false;
  var dirty = false;
  var leaving = false;

  function say(text) { if (status && text) { status.textContent = text; } }

  function later(ms) {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, ms);
  }

  function save(keepalive) {
    if (leaving || !dirty) { return; }
    if (inFlight) { later(PAUSE_MS); return; }
    inFlight = true;
    dirty = false;
    var body = new FormData(form);
    body.delete("save_draft");
    fetch(form.getAttribute("data-draft-url"), {
      method: "POST", body: body, credentials: "same-origin", keepalive: keepalive === true,
      headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.json().then(function (answer) { return {ok: response.ok, status: response.status, answer: answer}; });
    }).then(function (result) {
      if (result.ok) {
        draftInput.value = result.answer.id;
        versionInput.value = result.answer.version;
      } else if (result.status >= 500) {
        dirty = true;
        later(RETRY_MS);
      }
      say(result.answer.message);
    }).catch(function () {
      // No answer at all: offline, or the link dropped. Keep trying; "online" retries at once.
      dirty = true;
      say(status && status.getAttribute(navigator.onLine ? "data-failed" : "data-offline"));
      later(RETRY_MS);
    }).then(function () { inFlight = false; });
  }

  function changed() {
    dirty = true;
    say(status && status.getAttribute("data-unsaved"));
    later(PAUSE_MS);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { leaving = true; window.clearTimeout(timer); });
  window.addEventListener("online", function () { save(); });
  window.addEventListener("offline", function () {
    if (dirty) { say(status && status.getAttribute("data-offline")); }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { save(true); }
  });
  window.addEventListener("pagehide", function () { save(true); });
}());

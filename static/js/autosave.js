// A draft saves as it is typed: htmx posts the form marked data-autosave (an
// assessment, see assessment_form.html; a cycle's review, see
// reviews/cycles/review.html). This keeps the reader told: "unsaved" while typing,
// the server's answer once saved, a warning before leaving with text not yet
// saved, a character counter against the limit, and a confirmation before
// submitting.
(function () {
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var edits = 0;   // changes made on the page
  var sent = 0;    // changes the request in flight carries
  var saved = 0;   // changes the server has confirmed
  var leaving = false;

  function state() { return document.getElementById("save-state"); }
  function mark(text, kind) {
    var el = state();
    el.textContent = text;
    el.className = "save-state" + (kind ? " save-state--" + kind : "");
  }

  function count(area) {
    var out = form.querySelector('[data-counter-for="' + area.id + '"]');
    if (!out) return;
    var limit = Number(area.dataset.limit);
    var n = area.value.length;
    out.textContent = n.toLocaleString() + " of " + limit.toLocaleString() + " characters" +
      (n > limit ? " — " + (n - limit).toLocaleString() + " over the limit; it will not save until shortened" : "");
    out.classList.toggle("counter--over", n > limit);
  }

  form.addEventListener("input", function (event) {
    edits += 1;
    mark("Unsaved changes…", "pending");
    if (event.target.dataset && event.target.dataset.limit) count(event.target);
  });
  form.addEventListener("change", function () { edits += 1; });

  form.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 200) {
      saved = sent;
      // Typed since the request left: still unsaved, and the next request is queued.
      if (edits > saved) mark("Unsaved changes…", "pending");
    } else if (!xhr || xhr.status === 0 || xhr.status >= 500) {
      mark("Not saved: the server could not be reached. Your text is still here; keep the page open and try again.", "problem");
    }
  });
  form.addEventListener("htmx:beforeRequest", function () { sent = edits; mark("Saving…", "pending"); });

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    leaving = true;
  });

  window.addEventListener("beforeunload", function (event) {
    if (edits > saved && !leaving) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  form.querySelectorAll("textarea[data-limit]").forEach(count);
})();

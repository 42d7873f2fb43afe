// The competency grid on a phone: one card per competency, swiping between
// levels. The level picker turns every card to the same level at once, and
// the page opens on the reader's own level.
(function () {
  var pick = document.querySelector("[data-grid-pick]");
  if (!pick) return;
  var select = pick.querySelector("select");
  function show(code, smooth) {
    document.querySelectorAll(".grid-card__levels").forEach(function (strip) {
      var panel = strip.querySelector('[data-level="' + code + '"]');
      if (panel) strip.scrollTo({ left: panel.offsetLeft, behavior: smooth ? "smooth" : "auto" });
    });
  }
  pick.hidden = false;
  select.addEventListener("change", function () { show(select.value, true); });
  show(select.value, false);
})();

// On a screen too narrow for every level, say that the grid scrolls sideways.
(function () {
  var wrap = document.querySelector(".grid-wrap");
  var hint = document.querySelector("[data-grid-more]");
  if (!wrap || !hint) return;
  function check() { hint.hidden = wrap.scrollWidth <= wrap.clientWidth + 1 || wrap.offsetParent === null; }
  window.addEventListener("resize", check);
  check();
})();

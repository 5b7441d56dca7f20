// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var toggle = document.querySelector(".navtoggle");
  var nav = document.getElementById("sidenav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // Filters fold away on phones: a <details class="filterfold" open> is closed on narrow screens unless a
  // filter is set (data-keep-open), so the list comes first; without this script it simply stays open.
  if (window.matchMedia && window.matchMedia("(max-width: 600px)").matches) {
    document.querySelectorAll("details.filterfold[open]:not([data-keep-open])").forEach(function (d) { d.open = false; });
  }
  // Forms with data-confirm ask before submitting.
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });
  // Elements with data-chart hold an ECharts option as JSON.
  function charts() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      el.dataset.drawn = "1";
      var c = window.echarts.init(el);
      // data-finished marks a chart whose first drawing (and animation)
      // has finished, for whoever waits to look at it (screenshots).
      c.on("finished", function () { el.dataset.finished = "1"; });
      c.setOption(JSON.parse(el.getAttribute("data-chart")));
      window.addEventListener("resize", function () { c.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", charts);
  document.body.addEventListener("htmx:afterSwap", charts);
  charts();
})();

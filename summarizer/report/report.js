(function () {
  "use strict";
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  function wire(root) {
    if (root.getAttribute("data-smz-ready")) { return; }
    root.setAttribute("data-smz-ready", "1");
    var timer = null;
    function select(key) {
      root.querySelectorAll(".smz-item.current").forEach(function (el) { el.classList.remove("current"); });
      var item = root.querySelector('.smz-item[data-item="' + key + '"]');
      if (item) { item.classList.add("current"); }
      return item;
    }
    function show(key) {
      var marks = root.querySelectorAll('mark[data-items~="' + key + '"]');
      select(key);
      if (!marks.length) { return; }
      root.querySelectorAll("mark.flash").forEach(function (el) { el.classList.remove("flash"); });
      marks[0].scrollIntoView({behavior: still ? "auto" : "smooth", block: "center"});
      marks.forEach(function (el) { void el.offsetWidth; el.classList.add("flash"); });
      clearTimeout(timer);
      timer = setTimeout(function () {
        marks.forEach(function (el) { el.classList.remove("flash"); });
      }, 1800);
    }
    root.addEventListener("click", function (event) {
      var target = event.target instanceof Element ? event.target : null;
      if (!target) { return; }
      var button = target.closest("button[data-item]");
      if (button) { show(button.getAttribute("data-item")); return; }
      var mark = target.closest("mark[data-items]");
      if (mark) {
        var item = select(mark.getAttribute("data-items").split(" ")[0]);
        if (item) { item.scrollIntoView({behavior: still ? "auto" : "smooth", block: "nearest"}); }
      }
    });
  }
  document.querySelectorAll(".smz").forEach(wire);
  // A link to "report.html#figure-3" (the ledger's) shows that item's quote in the article. No element has
  // that id, so the browser's own jump to the fragment cannot undo the scroll.
  function fromHash() {
    var wanted = window.location.hash.slice(1);
    if (!/^[a-z]+-[0-9]+$/.test(wanted)) { return; }
    var button = document.querySelector('button[data-item="' + wanted + '"]');
    if (button) { button.click(); }
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();

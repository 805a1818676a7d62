// Accessibility fixes for YASGUI 4.6 (a third-party widget), applied after it draws and again
// whenever it redraws (new tab, switched tab). Each fix answers one axe-core rule:
//   aria-valid-attr-value   a tab's aria-controls names its panel, but YASGUI only puts the active
//                           tab's panel in the page: point it at a panel only while that exists
//   aria-required-children  the "add tab" button sits inside role=tablist, which may hold only tabs:
//                           move the button just after the list (its empty wrapper stays, YASGUI
//                           inserts new tabs before it)
//   label                   the endpoint field and the query editor's textarea get accessible names
//   scrollable-region-focusable  the editor's scrolling area can take keyboard focus
//   select-name             the results table's "rows per page" choice gets a name
// and, found by the keyboard tests (WCAG 2.1.2, no keyboard trap): Tab in the editor moves focus on
// instead of indenting (indent with Ctrl-] and Ctrl-[, CodeMirror's own keys).
// color-contrast is fixed by the styles in templates/yasgui_a11y.html.
(function () {
  "use strict";
  var lang = document.documentElement.lang === "en" ? "en" : "sv";
  var NAMES = {
    sv: { endpoint: "SPARQL-slutpunkt", query: "SPARQL-fråga", add: "Lägg till en flik", scroll: "Frågans text", rows: "Rader per sida" },
    en: { endpoint: "SPARQL endpoint", query: "SPARQL query", add: "Add a tab", scroll: "The query text", rows: "Rows per page" }
  }[lang];

  function fix(root) {
    root.querySelectorAll('[role="tab"][aria-controls]').forEach(function (tab) {
      var panel = tab.getAttribute("aria-controls");
      if (!document.getElementById(panel)) {
        tab.dataset.panel = panel;
        tab.removeAttribute("aria-controls");
      }
    });
    root.querySelectorAll('[role="tab"][data-panel]').forEach(function (tab) {
      if (document.getElementById(tab.dataset.panel)) { tab.setAttribute("aria-controls", tab.dataset.panel); }
    });
    root.querySelectorAll('[role="tablist"] .addTab').forEach(function (button) {
      var list = button.closest('[role="tablist"]');
      button.setAttribute("aria-label", NAMES.add);
      list.parentNode.insertBefore(button, list.nextSibling);
    });
    root.querySelectorAll("input.autocomplete:not([aria-label])").forEach(function (input) {
      input.setAttribute("aria-label", NAMES.endpoint);
    });
    root.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach(function (area) {
      area.setAttribute("aria-label", NAMES.query);
    });
    root.querySelectorAll('.CodeMirror-scroll:not([tabindex="0"])').forEach(function (scroller) {
      scroller.setAttribute("tabindex", "0");  // CodeMirror sets -1; a long query scrolls sideways: reachable by keyboard
      scroller.setAttribute("role", "region");
      scroller.setAttribute("aria-label", NAMES.scroll);
    });
    root.querySelectorAll(".CodeMirror").forEach(function (el) {
      var cm = el.CodeMirror;
      if (cm && !cm.klimatTabReleased) {  // Tab leaves the editor instead of indenting: no keyboard trap
        cm.klimatTabReleased = true;
        var keys = Object.assign({}, cm.getOption("extraKeys") || {});
        keys.Tab = false;
        keys["Shift-Tab"] = false;
        cm.setOption("extraKeys", keys);
      }
    });
    root.querySelectorAll("select.tableSizer:not([aria-label])").forEach(function (select) {
      select.setAttribute("aria-label", NAMES.rows);
    });
  }

  window.klimatFixYasgui = function (root) {
    fix(root);
    var pending = false;
    new MutationObserver(function () {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () { pending = false; fix(root); });
    }).observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ["aria-controls"] });
  };
})();

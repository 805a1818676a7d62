// Autocomplete for every <input data-suggest="sv|en"> (the header's search box, the search page):
// an ARIA 1.2 combobox with a listbox popup. Our own code, no third-party script; without it the
// box is a plain form that submits to /search.
//   typing      asks /search?q=…&limit=8 for JSON (debounced) and lists the names as options
//   Down / Up   move through the options (aria-activedescendant; focus stays in the box)
//   Enter       follows the highlighted option, or submits the form (the full results page)
//   Escape      closes the list (a second Escape clears the box)
// A live region (role=status) says how many suggestions there are, for screen readers.
(function () {
  "use strict";
  var WORDS = {
    sv: { none: "Inga förslag", one: "1 förslag, använd pil upp och ner", many: " förslag, använd pil upp och ner" },
    en: { none: "No suggestions", one: "1 suggestion, use the up and down arrows", many: " suggestions, use the up and down arrows" }
  };

  function setup(input) {
    var lang = input.getAttribute("data-suggest") === "en" ? "en" : "sv";
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var status = document.querySelector('[data-status-for="' + input.id + '"]');
    var options = [], active = -1, timer = null, asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(i) {
      options.forEach(function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (i >= 0) {
        input.setAttribute("aria-activedescendant", options[i].id);
        options[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function show(results) {
      list.textContent = "";
      options = results.map(function (r, i) {
        var li = document.createElement("li");
        li.id = input.id + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.href = r.href + "?lang=" + lang;
        var name = document.createElement("span");
        name.textContent = r.label[lang] || r.label.sv;
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = " – " + (r.kindLabel[lang] || r.kind);
        li.appendChild(name);
        li.appendChild(kind);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); window.location.href = li.dataset.href; });
        list.appendChild(li);
        return li;
      });
      var w = WORDS[lang];
      status.textContent = results.length === 0 ? w.none : results.length === 1 ? w.one : results.length + w.many;
      if (results.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
      active = -1;
    }

    function ask() {
      var q = input.value.trim();
      if (!q) { close(); status.textContent = ""; return; }
      var ticket = ++asked;
      fetch("/search?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (doc) { if (ticket === asked) { show(doc.results); } })
        .catch(function () { /* the form still submits to /search */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "Down") {
        if (list.hidden && options.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        if (options.length) { highlight((active + 1) % options.length); }
        e.preventDefault();
      } else if (e.key === "ArrowUp" || e.key === "Up") {
        if (options.length) { highlight(active <= 0 ? options.length - 1 : active - 1); }
        e.preventDefault();
      } else if (e.key === "Enter") {
        if (!list.hidden && active >= 0) { e.preventDefault(); window.location.href = options[active].dataset.href; }
      } else if (e.key === "Escape" || e.key === "Esc") {
        if (!list.hidden) { close(); } else { input.value = ""; status.textContent = ""; }
        e.preventDefault();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.querySelectorAll("input[data-suggest]").forEach(setup);
})();

/* Vorschläge im Suchfeld: ein ARIA-Combobox-Muster (WAI-ARIA APG, „List autocomplete“).
   Ohne JavaScript bleibt das Feld ein normales Suchformular. */
(function () {
  "use strict";
  var input = document.querySelector("input[data-vorschlaege]");
  if (!input || !window.fetch) { return; }
  var url = input.getAttribute("data-vorschlaege");
  var list = document.createElement("ul");
  var status = document.createElement("p");
  var options = [];
  var active = -1;
  var timer = null;
  var last = "";

  list.id = "kopf-suche-vorschlaege";
  list.className = "vorschlaege";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suchvorschläge");
  list.hidden = true;
  status.className = "sr-only";
  status.setAttribute("role", "status");
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.parentNode.appendChild(list);
  input.parentNode.appendChild(status);

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function choose(option) {
    if (option.url) { window.location.href = option.url; return; }
    input.value = option.label;
    close();
    input.form.submit();
  }

  function mark(index) {
    var items = list.children;
    for (var i = 0; i < items.length; i++) {
      items[i].setAttribute("aria-selected", i === index ? "true" : "false");
    }
    active = index;
    if (index >= 0) { input.setAttribute("aria-activedescendant", items[index].id); }
    else { input.removeAttribute("aria-activedescendant"); }
  }

  function show(found) {
    options = found;
    list.textContent = "";
    found.forEach(function (option, i) {
      var item = document.createElement("li");
      item.id = "vorschlag-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.textContent = option.label;
      if (option.url) { item.className = "vorschlag-titel"; }
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(option);
      });
      list.appendChild(item);
    });
    var open = found.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    status.textContent = open ? found.length + " Vorschläge. Mit Pfeiltasten auswählen." : "";
    active = -1;
  }

  function ask() {
    var text = input.value;
    if (text === last) { return; }
    last = text;
    if (text.trim().length < 2) { show([]); return; }
    fetch(url + "?q=" + encodeURIComponent(text), { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (found) { if (input.value === text) { show(found); } })
      .catch(function () { show([]); });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) { return; }
    if (event.key === "ArrowDown") { event.preventDefault(); mark((active + 1) % options.length); }
    else if (event.key === "ArrowUp") { event.preventDefault(); mark(active <= 0 ? options.length - 1 : active - 1); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(options[active]); }
  });
  input.addEventListener("blur", function () { window.setTimeout(close, 100); });
}());

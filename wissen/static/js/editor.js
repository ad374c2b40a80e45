/* Live-Vorschau und Schlagwort-Vorschläge im Artikel-Editor.
   Ohne JavaScript funktioniert alles über die Knöpfe „Vorschau anzeigen“ und „Speichern“. */
(function () {
  "use strict";

  function livePreview(form) {
    var body = form.querySelector("#feld-body");
    var target = document.getElementById("vorschau-live");
    var token = form.querySelector("input[name=csrf_token]");
    if (!body || !target || !token || !window.fetch) { return; }
    var url = target.getAttribute("data-vorschau-url");
    var timer = null;
    var latest = 0;

    function update() {
      var request = ++latest;
      var data = new URLSearchParams();
      data.append("body", body.value);
      fetch(url, {
        method: "POST",
        headers: { "X-CSRFToken": token.value },
        body: data,
        credentials: "same-origin"
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      }).then(function (html) {
        // Only the newest answer counts; the server has sanitised the HTML.
        if (request === latest) { target.innerHTML = html; }
      }).catch(function () { /* the preview button still works */ });
    }

    body.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 400);
    });
    update();
  }

  function tagSuggestions(form) {
    var input = form.querySelector("#feld-tags");
    var list = document.getElementById("schlagwort-liste");
    if (!input || !list) { return; }
    var names = Array.prototype.map.call(list.options, function (o) { return o.value; });

    // The browser suggests whole values: offer "earlier tags, suggestion" for the last one.
    input.addEventListener("input", function () {
      var parts = input.value.split(",");
      var last = parts.pop().trim().toLowerCase();
      var head = parts.map(function (p) { return p.trim(); }).filter(Boolean);
      var prefix = head.length ? head.join(", ") + ", " : "";
      list.innerHTML = "";
      names.filter(function (n) {
        return last && n.toLowerCase().indexOf(last) === 0 && head.indexOf(n) === -1;
      }).slice(0, 20).forEach(function (n) {
        var option = document.createElement("option");
        option.value = prefix + n;
        list.appendChild(option);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("artikel-formular");
    if (!form) { return; }
    livePreview(form);
    tagSuggestions(form);
  });
})();

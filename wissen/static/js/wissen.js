/*
 * wissen – kleine, optionale Verbesserungen. Alles funktioniert auch ohne JavaScript.
 *
 * 1. Formulare mit data-bestaetigen="Frage?" fragen vor dem Absenden nach
 *    (z. B. beim Löschen). Ohne JavaScript wird direkt abgesendet.
 * 2. Waagerecht scrollbare Tabellenrahmen (.tabelle-rahmen) werden per Tastatur
 *    erreichbar (tabindex="0"), aber nur, wenn sie wirklich überlaufen.
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (ereignis) {
    var formular = ereignis.target;
    if (!(formular instanceof HTMLFormElement)) {
      return;
    }
    var frage = formular.getAttribute("data-bestaetigen");
    if (frage && !window.confirm(frage)) {
      ereignis.preventDefault();
    }
  });

  function rahmenPruefen() {
    var rahmen = document.querySelectorAll(".tabelle-rahmen");
    for (var i = 0; i < rahmen.length; i++) {
      var r = rahmen[i];
      if (r.scrollWidth > r.clientWidth + 1) {
        if (!r.hasAttribute("tabindex")) {
          r.setAttribute("tabindex", "0");
          r.setAttribute("data-tabindex-gesetzt", "");
        }
        if (!r.hasAttribute("role")) {
          r.setAttribute("role", "region");
        }
        if (!r.hasAttribute("aria-label") && !r.hasAttribute("aria-labelledby")) {
          var titel = r.querySelector("caption");
          r.setAttribute(
            "aria-label",
            titel ? titel.textContent.trim() + " (waagerecht scrollbar)" : "Tabelle (waagerecht scrollbar)"
          );
        }
      } else if (r.hasAttribute("data-tabindex-gesetzt")) {
        r.removeAttribute("tabindex");
        r.removeAttribute("data-tabindex-gesetzt");
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", rahmenPruefen);
  } else {
    rahmenPruefen();
  }
  var warten;
  window.addEventListener("resize", function () {
    window.clearTimeout(warten);
    warten = window.setTimeout(rahmenPruefen, 200);
  });
})();

/*
 * wissen – kleine, optionale Verbesserungen. Alles funktioniert auch ohne JavaScript.
 *
 * 1. Formulare mit data-bestaetigen="Frage?" fragen vor dem Absenden nach
 *    (z. B. beim Löschen). Ohne JavaScript wird direkt abgesendet.
 * 2. Tabellen im Artikeltext (.prosa table) bekommen einen .tabelle-rahmen. Ohne
 *    JavaScript scrollt die Tabelle selbst (CSS: display: block).
 * 3. Waagerecht scrollbare Tabellenrahmen (.tabelle-rahmen) werden per Tastatur
 *    erreichbar (tabindex="0"), aber nur, wenn sie wirklich überlaufen. Darüber steht
 *    dann ein sichtbarer Hinweis, dass die Tabelle weitergeht.
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

  function artikelTabellenEinrahmen() {
    var tabellen = document.querySelectorAll(".prosa table");
    for (var i = 0; i < tabellen.length; i++) {
      var t = tabellen[i];
      if (t.parentElement && t.parentElement.classList.contains("tabelle-rahmen")) {
        continue;
      }
      var rahmen = document.createElement("div");
      rahmen.className = "tabelle-rahmen";
      t.parentNode.insertBefore(rahmen, t);
      rahmen.appendChild(t);
    }
  }

  // Text der nächsten Überschrift vor dem Element (gleiche Ebene im Dokument), sonst "".
  function vorigeUeberschrift(element) {
    var e = element.previousElementSibling;
    while (e) {
      if (/^H[1-6]$/.test(e.tagName)) {
        return e.textContent.trim();
      }
      e = e.previousElementSibling;
    }
    return "";
  }

  // Sichtbarer Hinweis über einem überlaufenden Rahmen (ein <p> direkt davor).
  function hinweisSetzen(r, zeigen) {
    var vorher = r.previousElementSibling;
    var vorhanden = vorher && vorher.classList.contains("tabelle-hinweis") ? vorher : null;
    if (zeigen && !vorhanden) {
      var hinweis = document.createElement("p");
      hinweis.className = "tabelle-hinweis";
      // Für Screenreader steht dasselbe schon im Namen des Rahmens.
      hinweis.setAttribute("aria-hidden", "true");
      hinweis.textContent = "Die Tabelle ist breiter als die Anzeige: seitlich wischen oder scrollen.";
      r.parentNode.insertBefore(hinweis, r);
    } else if (!zeigen && vorhanden) {
      vorhanden.parentNode.removeChild(vorhanden);
    }
  }

  // Attribute, die rahmenPruefen selbst gesetzt hat, stehen in data-gesetzt und werden
  // wieder entfernt, wenn der Rahmen (z. B. nach Drehen des Geräts) nicht mehr überläuft.
  function rahmenPruefen() {
    var rahmen = document.querySelectorAll(".tabelle-rahmen");
    for (var i = 0; i < rahmen.length; i++) {
      var r = rahmen[i];
      var gesetzt = (r.getAttribute("data-gesetzt") || "").split(" ").filter(Boolean);
      var ueberlaeuft = r.scrollWidth > r.clientWidth + 1;
      hinweisSetzen(r, ueberlaeuft);
      if (ueberlaeuft) {
        if (!r.hasAttribute("tabindex")) {
          r.setAttribute("tabindex", "0");
          gesetzt.push("tabindex");
        }
        if (!r.hasAttribute("role")) {
          r.setAttribute("role", "region");
          gesetzt.push("role");
        }
        if (!r.hasAttribute("aria-label") && !r.hasAttribute("aria-labelledby")) {
          var titel = r.querySelector("caption");
          var name = titel ? titel.textContent.trim() : "";
          if (!name) {
            var ueberschrift = vorigeUeberschrift(r);
            name = ueberschrift ? "Tabelle zu „" + ueberschrift + "“" : "Tabelle";
          }
          r.setAttribute("aria-label", name + " (waagerecht scrollbar)");
          gesetzt.push("aria-label");
        }
        if (gesetzt.length) {
          r.setAttribute("data-gesetzt", gesetzt.join(" "));
        }
      } else if (gesetzt.length) {
        for (var j = 0; j < gesetzt.length; j++) {
          r.removeAttribute(gesetzt[j]);
        }
        r.removeAttribute("data-gesetzt");
      }
    }
  }

  function start() {
    artikelTabellenEinrahmen();
    rahmenPruefen();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  var warten;
  window.addEventListener("resize", function () {
    window.clearTimeout(warten);
    warten = window.setTimeout(rahmenPruefen, 200);
  });
})();

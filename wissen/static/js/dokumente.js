/* Dokumente: Hochladen mit Fortschrittsbalken und Ablegen per Maus, Status-Aktualisierung.
   Ohne JavaScript funktionieren das normale Dateifeld und „Seite neu laden“. */
(function () {
  "use strict";

  function uploadWithProgress(form) {
    var input = form.querySelector("#feld-dateien");
    var zone = document.getElementById("ablagezone");
    var box = document.getElementById("upload-fortschritt");
    var bar = document.getElementById("upload-balken");
    var status = document.getElementById("upload-status");
    if (!input || !box || !window.FormData || !window.XMLHttpRequest) { return; }

    if (zone) {
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (event) {
          event.preventDefault();
          zone.classList.add("ablagezone-aktiv");
        });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function () { zone.classList.remove("ablagezone-aktiv"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) {
          input.files = event.dataTransfer.files;
          status.textContent = event.dataTransfer.files.length + " Datei(en) ausgewählt.";
          box.hidden = false;
        }
      });
    }

    form.addEventListener("submit", function (event) {
      if (!input.files.length) { return; }  // the server explains what is missing
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.action || window.location.href);
      request.setRequestHeader("Accept", "application/json");
      box.hidden = false;
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var percent = Math.round(e.loaded / e.total * 100);
          bar.value = percent;
          bar.textContent = percent + " %";
          status.textContent = "Hochladen: " + percent + " %";
        }
      });
      request.addEventListener("load", function () {
        showResults(request, status);
      });
      request.addEventListener("error", function () {
        status.textContent = "Die Verbindung wurde unterbrochen. Bitte erneut versuchen.";
      });
      request.send(new FormData(form));
    });
  }

  function showResults(request, status) {
    if (request.status === 413) {
      status.textContent = "Die Dateien sind zusammen zu groß. Bitte einzeln oder kleinere hochladen.";
      return;
    }
    var data;
    try { data = JSON.parse(request.responseText); } catch (e) { data = null; }
    if (!data || !data.results) {
      status.textContent = "Das Hochladen ist fehlgeschlagen (Fehler " + request.status + ").";
      return;
    }
    var list = document.createElement("ul");
    data.results.forEach(function (result) {
      var item = document.createElement("li");
      if (result.ok) {
        var link = document.createElement("a");
        link.href = result.url;
        link.textContent = result.message;
        item.appendChild(link);
      } else {
        item.textContent = "Abgelehnt: " + result.message;
      }
      list.appendChild(item);
    });
    status.textContent = "Fertig.";
    status.appendChild(list);
    if (data.results.length === 1 && data.results[0].ok) {
      window.location.href = data.results[0].url;
    }
  }

  function followStatus(element) {
    var url = element.getAttribute("data-status-url");
    var current = element.getAttribute("data-status");
    var note = element.querySelector(".status-hinweis");
    if (!url || !window.fetch || (current !== "pending" && current !== "processing")) { return; }
    var tries = 0;
    function poll() {
      tries += 1;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (data.status && data.status !== current) {
            if (note) { note.textContent = "Neuer Stand: " + data.status_label + ". Die Seite wird aktualisiert."; }
            window.setTimeout(function () { window.location.reload(); }, 1500);
          } else if (tries < 150) {
            window.setTimeout(poll, 2000);
          }
        })
        .catch(function () { if (tries < 150) { window.setTimeout(poll, 5000); } });
    }
    window.setTimeout(poll, 1500);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("upload-formular");
    if (form) { uploadWithProgress(form); }
    var status = document.getElementById("dokument-status");
    if (status) { followStatus(status); }
  });
})();

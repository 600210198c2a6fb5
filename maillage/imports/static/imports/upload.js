/* The import form: drop files onto the zone, and see the upload go (an export of several
   hundred MB takes minutes on a home connection, where a plain form shows nothing). The
   form still works without this script: it is a plain multipart POST. */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "fr-CA";
  var megabytes = new Intl.NumberFormat(lang, {
    style: "unit", unit: "megabyte", maximumFractionDigits: 1
  });

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  function dropZone(zone, input, list) {
    function show() {
      list.textContent = "";
      Array.prototype.forEach.call(input.files, function (file) {
        var item = document.createElement("li");
        item.textContent = file.name;
        list.appendChild(item);
      });
    }
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("border-primary", "bg-body-tertiary");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () {
        zone.classList.remove("border-primary", "bg-body-tertiary");
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        show();
      }
    });
    input.addEventListener("change", show);
  }

  function uploadWithProgress(form, input) {
    var box = document.getElementById("upload-progress");
    var bar = box.querySelector("[role=progressbar]");
    var fill = bar.querySelector(".progress-bar");
    var text = document.getElementById("upload-progress-text");
    var failure = document.getElementById("upload-failure");
    var button = form.querySelector("button[type=submit]");
    var words = box.dataset;

    function progress(percent, message) {
      bar.setAttribute("aria-valuenow", String(percent));
      fill.style.width = percent + "%";
      text.textContent = message;
    }

    function fail(message) {
      box.hidden = true;
      failure.textContent = message;
      failure.hidden = false;
      button.disabled = false;
    }

    function showPage(html) {
      // The page again with its errors (wrong file, too large...): only <main> changes.
      var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
      if (!fresh) { return false; }
      document.querySelector("main").replaceWith(document.importNode(fresh, true));
      init();
      var error = document.querySelector("main .alert-danger, main .invalid-feedback");
      if (error) { error.setAttribute("tabindex", "-1"); error.focus(); }
      return true;
    }

    form.addEventListener("submit", function (event) {
      if (!window.FormData || !input.files.length) { return; }  // the server explains
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var percent = Math.floor((e.loaded / e.total) * 100);
        progress(percent, format(words.sending, {
          sent: megabytes.format(e.loaded / 1e6), total: megabytes.format(e.total / 1e6)
        }));
      });
      xhr.upload.addEventListener("load", function () { progress(100, words.sent); });
      xhr.addEventListener("load", function () {
        var landed = xhr.responseURL && new URL(xhr.responseURL).pathname;
        if (xhr.status < 300 && landed && landed !== new URL(form.action).pathname) {
          window.location.assign(xhr.responseURL);  // the import's page, where it goes on
        } else if (!showPage(xhr.responseText)) {
          fail(format(words.refused, { status: xhr.status }));
        }
      });
      xhr.addEventListener("error", function () { fail(words.interrupted); });
      xhr.addEventListener("abort", function () { fail(words.interrupted); });
      failure.hidden = true;
      button.disabled = true;
      box.hidden = false;
      progress(0, format(words.sending, { sent: megabytes.format(0), total: "…" }));
      xhr.send(new FormData(form));
    });
  }

  function init() {
    var form = document.getElementById("upload-form");
    var input = form && form.querySelector("input[type=file]");
    if (!form || !input) { return; }
    dropZone(document.getElementById("drop-zone"), input, document.getElementById("drop-list"));
    uploadWithProgress(form, input);
  }

  document.addEventListener("DOMContentLoaded", init);
})();

// The editorial calendar: month, week and list views; drag and drop reschedules a delivery.
(function () {
  "use strict";
  var element = document.getElementById("calendar");
  if (!element || !window.FullCalendar) { return; }
  var options = JSON.parse(document.getElementById("calendar-options").textContent);
  var errorBox = document.getElementById("calendar-error");
  var lang = document.documentElement.lang || "fr-CA";
  var csrf = (document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/) || [])[1] || "";
  var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");

  function showError(message) {
    errorBox.textContent = message;
    errorBox.classList.remove("d-none");
  }

  var calendar = new FullCalendar.Calendar(element, {
    locale: lang.toLowerCase().indexOf("fr") === 0 ? "fr-ca" : "en",
    // Dates are the user's wall-clock times, sent without offset (see calendar_events).
    timeZone: "UTC",
    // A month grid leaves a phone a few pixels per post: the list is what reads there.
    initialView: window.matchMedia("(max-width: 575.98px)").matches ? "listMonth" : "dayGridMonth",
    headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,listMonth" },
    events: options.events,
    // FullCalendar names its arrow buttons (title) but gives their icons role="img" and no
    // name, which screen readers announce as unlabelled images: the icons are decoration.
    datesSet: function () {
      element.querySelectorAll(".fc-toolbar .fc-icon").forEach(function (icon) {
        icon.setAttribute("aria-hidden", "true");
      });
    },
    editable: true,
    eventDurationEditable: false,
    eventDrop: function (info) {
      errorBox.classList.add("d-none");
      var body = new URLSearchParams({ start: info.event.start.toISOString().slice(0, 19) });
      fetch(options.moveUrl.replace("/0/", "/" + info.event.id + "/"), {
        method: "POST",
        headers: { "X-CSRFToken": headers["X-CSRFToken"] || csrf },
        body: body,
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) {
            info.revert();
            showError(data.error || options.refused);
          }
        });
      }).catch(function () {
        info.revert();
        showError(options.refused);
      });
    }
  });
  calendar.render();
})();

/* Presence charts: each <canvas data-chart="..." data-url="..."> is drawn from its JSON endpoint.
   Series names come from the page (json_script "presence-chart-labels"); numbers and dates are
   formatted for the page's language (fr-CA / en-CA). If anything fails, the hidden data table
   next to the canvas is shown instead, so the numbers are never lost. */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "fr-CA";
  var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  var integer = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  var shortDate = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short" });
  // Colours chosen for contrast on white (WCAG AA for the lines and bars, 3:1 at least).
  var COLORS = {
    score: "#0b5ed7",
    brand: "#6f42c1",
    audience: "#b02a6b",
    engagement: "#b35900",
    relationships: "#146c43",
    active: "#146c43",
    occasional: "#b35900",
    inactive: "#6c757d",
    histogram: "#0b5ed7"
  };

  function labels() {
    var element = document.getElementById("presence-chart-labels");
    return element ? JSON.parse(element.textContent) : {};
  }

  function weekLabel(iso) {
    var parts = iso.split("-").map(Number);
    return shortDate.format(new Date(parts[0], parts[1] - 1, parts[2]));
  }

  function baseOptions(stacked, max) {
    return {
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: {
            label: function (context) {
              return context.dataset.label + " : " + number.format(context.parsed.y);
            }
          }
        }
      },
      scales: {
        x: { stacked: stacked, ticks: { autoSkip: true, maxRotation: 0 } },
        y: {
          stacked: stacked,
          beginAtZero: true,
          suggestedMax: max,
          ticks: { callback: function (value) { return number.format(value); } }
        }
      }
    };
  }

  function trend(canvas, data, text) {
    var series = ["score", "brand", "audience", "engagement", "relationships"];
    return new Chart(canvas, {
      type: "line",
      data: {
        labels: data.trend.labels.map(weekLabel),
        datasets: series.map(function (name) {
          return {
            label: text[name] || name,
            data: data.trend[name],
            borderColor: COLORS[name],
            backgroundColor: COLORS[name],
            borderWidth: name === "score" ? 3 : 1.5,
            borderDash: name === "score" ? [] : [4, 3],
            pointRadius: name === "score" ? 2 : 0,
            tension: 0.2,
            // The index is out of 100, each pillar out of 25: on one scale the pillars were
            // squeezed into the bottom quarter, so they get their own axis on the right.
            yAxisID: name === "score" ? "y" : "pillars"
          };
        })
      },
      options: trendOptions(text)
    });
  }

  function trendOptions(text) {
    var options = baseOptions(false, 100);
    options.scales.y.max = 100;
    options.scales.y.title = { display: true, text: text.score_axis || "" };
    options.scales.pillars = {
      position: "right",
      beginAtZero: true,
      max: 25,
      grid: { drawOnChartArea: false },
      title: { display: true, text: text.pillar_axis || "" },
      ticks: { callback: function (value) { return number.format(value); } }
    };
    return options;
  }

  function status(canvas, data, text) {
    var options = baseOptions(true, undefined);
    options.scales.y.ticks = {
      precision: 0,
      callback: function (value) { return integer.format(value); }
    };
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.status_trend.labels.map(weekLabel),
        datasets: ["active", "occasional", "inactive"].map(function (name) {
          return { label: text[name] || name, data: data.status_trend[name], backgroundColor: COLORS[name] };
        })
      },
      options: options
    });
  }

  function histogram(canvas, data, text) {
    var options = baseOptions(false, undefined);
    options.plugins.legend = { display: false };
    options.scales.y.ticks = { precision: 0 };
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.histogram.labels,
        datasets: [{
          label: text.members || "",
          data: data.histogram.counts,
          backgroundColor: COLORS.histogram
        }]
      },
      options: options
    });
  }

  var BUILDERS = { trend: trend, status: status, histogram: histogram };

  function showFallback(canvas) {
    var figure = canvas.closest("figure");
    // The table sits in a hidden wrapper: a hidden table alone still widens a phone's page.
    var table = figure && figure.querySelector("[data-chart-fallback]");
    if (table) {
      table.classList.remove("visually-hidden");
    }
    canvas.hidden = true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    // On a phone the heat map scrolls: start on the most recent weeks.
    document.querySelectorAll(".heatmap").forEach(function (map) {
      map.scrollLeft = map.scrollWidth;
    });
    var canvases = document.querySelectorAll("canvas[data-chart]");
    if (!canvases.length) {
      return;
    }
    if (typeof Chart === "undefined") {
      canvases.forEach(showFallback);
      return;
    }
    var text = labels();
    var requests = {};
    canvases.forEach(function (canvas) {
      var url = canvas.dataset.url;
      if (!requests[url]) {
        requests[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) {
            if (!response.ok) {
              throw new Error("HTTP " + response.status);
            }
            return response.json();
          });
      }
      requests[url]
        .then(function (data) { BUILDERS[canvas.dataset.chart](canvas, data, text); })
        .catch(function () { showFallback(canvas); });
    });
  });
})();

// Live character counters in the composer: an approximation of each network's count;
// the server checks again on submit.
(function () {
  "use strict";
  var DEFAULTS = { mastodon: 500, bluesky: 300, linkedin: 3000, facebook: 63206, x: 280 };
  var URL_RE = /https?:\/\/\S+/g;
  var LIGHT = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];
  var form = document.getElementById("compose");
  if (!form) { return; }
  var words = JSON.parse(document.getElementById("counter-messages").textContent || "{}");
  var linkInput = form.querySelector("input[name=link]");

  function graphemes(text) {
    if (window.Intl && Intl.Segmenter) {
      return Array.from(new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)).length;
    }
    return Array.from(text).length;
  }

  function xWeight(text) {
    var total = 0;
    Array.from(text).forEach(function (ch) {
      var code = ch.codePointAt(0);
      var light = LIGHT.some(function (r) { return code >= r[0] && code <= r[1]; });
      total += light ? 1 : 2;
    });
    return total;
  }

  function length(network, text) {
    text = text.normalize("NFC");
    var links = text.match(URL_RE) || [];
    var rest = text.replace(URL_RE, "");
    if (network === "x") { return xWeight(rest) + 23 * links.length; }
    if (network === "mastodon") { return Array.from(rest).length + 23 * links.length; }
    if (network === "bluesky") { return graphemes(text); }
    return text.length;
  }

  // The smallest limit among the checked accounts of this network (Mastodon: per instance).
  function limit(network) {
    var boxes = form.querySelectorAll("input[name=channels][data-network='" + network + "']");
    var best = null;
    boxes.forEach(function (box) {
      var value = parseInt(box.dataset.limit, 10);
      if (box.checked && (best === null || value < best)) { best = value; }
    });
    return best === null ? DEFAULTS[network] : best;
  }

  function outgoing(text) {
    var link = linkInput ? linkInput.value.trim() : "";
    if (link && text.indexOf(link) === -1 && text.trim()) { return text.replace(/\s+$/, "") + "\n\n" + link; }
    return text;
  }

  function update() {
    form.querySelectorAll("textarea[data-counter]").forEach(function (area) {
      var network = area.dataset.counter;
      var used = length(network, outgoing(area.value));
      var max = limit(network);
      var out = form.querySelector("[data-count-for='" + area.id + "']");
      out.textContent = used + " / " + max + (used > max ? " · " + (words.too_long || "too long") : "");
      out.classList.toggle("text-danger", used > max);
      area.classList.toggle("is-invalid", used > max);
    });
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();

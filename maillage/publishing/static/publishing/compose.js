// The composer, live: character counters (an approximation of each network's count), the
// images each network would take, a preview per network and language, and the scheduling
// mode's fields. The server checks everything again on submit.
(function () {
  "use strict";
  var DEFAULTS = { mastodon: 500, bluesky: 300, linkedin: 3000, facebook: 63206, x: 280 };
  var URL_RE = /https?:\/\/\S+/g;
  var LIGHT = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];
  var form = document.getElementById("compose");
  if (!form) { return; }
  var options = JSON.parse(document.getElementById("counter-messages").textContent || "{}");
  var words = options.words || {};
  var limits = options.limits || {};
  var linkInput = form.querySelector("input[name=link]");
  // What the first bytes of each chosen file say it is (filled asynchronously).
  var sniffed = new WeakMap();
  // The chosen languages' names as the page shows them (for the preview cards' titles).
  var languageNames = {};

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

  function checkedBoxes(network) {
    var selector = "input[name=channels]" + (network ? "[data-network='" + network + "']" : "");
    return Array.from(form.querySelectorAll(selector)).filter(function (box) { return box.checked; });
  }

  // The smallest limit among the checked accounts of this network (Mastodon: per instance).
  function limit(network) {
    var best = null;
    checkedBoxes(network).forEach(function (box) {
      var value = parseInt(box.dataset.limit, 10);
      if (best === null || value < best) { best = value; }
    });
    return best === null ? DEFAULTS[network] : best;
  }

  // As PostVariant.outgoing_text: the link appended unless the text carries it.
  function outgoing(text) {
    var link = linkInput ? linkInput.value.trim() : "";
    if (link && text.indexOf(link) === -1 && text.trim()) { return text.replace(/\s+$/, "") + "\n\n" + link; }
    return text;
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_all, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024) { return (bytes / (1024 * 1024)).toFixed(1) + " MB"; }
    if (bytes >= 1024) { return Math.round(bytes / 1024) + " KB"; }
    return bytes + " B";
  }

  function updateCounters() {
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

  // --- Images ------------------------------------------------------------------------------

  function typeOf(head) {
    var b = head;
    if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) { return "image/jpeg"; }
    if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) { return "image/png"; }
    var text = String.fromCharCode.apply(null, Array.from(b.slice(0, 12)));
    if (text.slice(0, 6) === "GIF87a" || text.slice(0, 6) === "GIF89a") { return "image/gif"; }
    if (text.slice(0, 4) === "RIFF" && text.slice(8, 12) === "WEBP") { return "image/webp"; }
    return null;
  }

  // Every image the post would carry: kept ones (unless removed) and chosen files.
  function images() {
    var list = [];
    form.querySelectorAll("[data-image-row]").forEach(function (row) {
      var network = row.querySelector("[data-image-network]").value;
      var alt = row.querySelector("[data-image-alt]").value;
      if (row.dataset.media) {
        if (row.querySelector("[data-image-remove]").checked) { return; }
        list.push({ name: row.dataset.name, thumb: row.dataset.thumb, type: row.dataset.type,
          size: parseInt(row.dataset.size, 10) || 0, network: network, alt: alt });
        return;
      }
      var input = row.querySelector("[data-image-file]");
      var file = input.files && input.files[0];
      if (!file) { return; }
      var known = sniffed.get(file) || {};
      list.push({ name: file.name, thumb: known.url, type: known.type, size: file.size,
        network: network, alt: alt, pending: !sniffed.has(file) });
    });
    return list;
  }

  function selectedNetworks() {
    var seen = [];
    checkedBoxes().forEach(function (box) {
      if (seen.indexOf(box.dataset.network) === -1) { seen.push(box.dataset.network); }
    });
    return seen;
  }

  function imageProblems(list, networks) {
    var problems = [];
    list.forEach(function (image) {
      if (!image.pending && image.type === null) {
        problems.push(fill(words.not_image, { name: image.name }));
      } else if (image.network && networks.indexOf(image.network) === -1) {
        problems.push(fill(words.no_account, { name: image.name, network: limits[image.network].label }));
      }
    });
    networks.forEach(function (network) {
      var rule = limits[network];
      if (!rule) { return; }
      var mine = list.filter(function (image) { return !image.network || image.network === network; });
      if (mine.length > rule.count) {
        problems.push(fill(words.too_many, { network: rule.label, count: rule.count, chosen: mine.length }));
      }
      mine.forEach(function (image) {
        if (!image.type) { return; }
        if (rule.types.indexOf(image.type) === -1) {
          problems.push(fill(words.wrong_type, { network: rule.label, name: image.name,
            type: (options.typeNames || {})[image.type] || image.type }));
          return;
        }
        var max = image.type === "image/gif" ? rule.gifBytes : rule.maxBytes;
        if (image.size > max) {
          problems.push(fill(words.too_heavy, { network: rule.label, name: image.name,
            size: sizeText(image.size), limit: sizeText(max) }));
        }
      });
    });
    return problems;
  }

  function updateImages(list, networks) {
    var box = document.getElementById("image-problems");
    if (!box) { return; }
    var problems = imageProblems(list, networks);
    box.replaceChildren.apply(box, problems.map(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
    box.classList.toggle("d-none", problems.length === 0);
  }

  // Show filled slots, the first empty one, and a button to reveal one more.
  function arrangeSlots() {
    var slots = Array.from(form.querySelectorAll("[data-image-row][data-slot]"));
    var shownEmpty = false;
    slots.forEach(function (row) {
      var input = row.querySelector("[data-image-file]");
      var filled = input.files && input.files.length > 0;
      var keep = filled || !shownEmpty || row.dataset.revealed === "1";
      if (!filled && keep) { shownEmpty = true; }
      row.classList.toggle("d-none", !keep);
    });
    var button = document.getElementById("add-image");
    if (button) {
      // Offered only when every shown slot holds a file and another one is left.
      var hidden = slots.some(function (row) { return row.classList.contains("d-none"); });
      button.classList.toggle("d-none", shownEmpty || !hidden);
    }
  }

  function sniff(file) {
    if (sniffed.has(file)) { return; }
    file.slice(0, 16).arrayBuffer().then(function (buffer) {
      var type = typeOf(new Uint8Array(buffer));
      sniffed.set(file, { type: type, url: type ? URL.createObjectURL(file) : null });
      update();
    });
  }

  // --- Preview -----------------------------------------------------------------------------

  function textFor(network, language) {
    var area = form.querySelector("textarea[data-counter='" + network + "'][data-language='" + language + "']");
    return area ? area.value : "";
  }

  function card(network, language, handles, list) {
    var rule = limits[network] || { label: network };
    var column = document.createElement("div");
    column.className = "col-md-6";
    var article = document.createElement("article");
    article.className = "card h-100";
    article.dataset.previewNetwork = network;
    article.dataset.previewLanguage = language;
    var header = document.createElement("div");
    header.className = "card-header small";
    header.textContent = rule.label + " · " + (languageNames[language] || language) + " · " + handles.join(", ");
    var body = document.createElement("div");
    body.className = "card-body";
    var text = outgoing(textFor(network, language));
    var paragraph = document.createElement("p");
    paragraph.className = "card-text";
    paragraph.style.whiteSpace = "pre-wrap";
    paragraph.dataset.previewText = "";
    paragraph.textContent = text;
    body.appendChild(paragraph);
    var mine = list.filter(function (image) { return !image.network || image.network === network; });
    if (mine.length) {
      var strip = document.createElement("div");
      strip.className = "d-flex flex-wrap gap-2";
      mine.forEach(function (image) {
        if (!image.thumb) { return; }
        var img = document.createElement("img");
        img.src = image.thumb;
        img.alt = image.alt;
        img.className = "img-thumbnail";
        img.style.maxHeight = "6rem";
        img.dataset.previewImage = "";
        strip.appendChild(img);
      });
      body.appendChild(strip);
    }
    var used = length(network, text);
    var max = limit(network);
    var footer = document.createElement("div");
    footer.className = "card-footer small" + (used > max ? " text-danger" : " text-muted");
    footer.textContent = used + " / " + max + (mine.length ? " · " + fill(words.images, { count: mine.length }) : "");
    article.appendChild(header);
    article.appendChild(body);
    article.appendChild(footer);
    column.appendChild(article);
    return column;
  }

  function updatePreview(list) {
    var holder = document.getElementById("preview");
    if (!holder) { return; }
    var pairs = {};
    var order = [];
    languageNames = {};
    checkedBoxes().forEach(function (box) {
      var select = form.querySelector("[data-language-for='" + box.value + "']");
      var key = box.dataset.network + "/" + (select ? select.value : "fr");
      if (!pairs[key]) { pairs[key] = []; order.push(key); }
      if (select) { languageNames[select.value] = select.options[select.selectedIndex].text; }
      pairs[key].push(box.dataset.handle || "");
    });
    var cards = order.map(function (key) {
      var parts = key.split("/");
      return card(parts[0], parts[1], pairs[key], list);
    });
    if (!cards.length) {
      var empty = document.createElement("p");
      empty.className = "text-muted small";
      empty.textContent = words.empty || "";
      cards = [empty];
    }
    holder.replaceChildren.apply(holder, cards);
  }

  // --- Scheduling modes --------------------------------------------------------------------

  function updateMode() {
    var checked = form.querySelector("input[name=mode]:checked");
    var mode = checked ? checked.value : "at";
    form.querySelectorAll("[data-mode-show]").forEach(function (part) {
      part.classList.toggle("d-none", part.dataset.modeShow.split(" ").indexOf(mode) === -1);
    });
  }

  function update() {
    var list = images();
    var networks = selectedNetworks();
    updateCounters();
    updateImages(list, networks);
    updatePreview(list);
    updateMode();
  }

  form.addEventListener("input", update);
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-image-file]") && target.files && target.files[0]) {
      sniff(target.files[0]);
      arrangeSlots();
    }
    update();
  });
  var addImage = document.getElementById("add-image");
  if (addImage) {
    addImage.addEventListener("click", function () {
      var next = form.querySelector("[data-image-row][data-slot].d-none");
      if (next) {
        next.dataset.revealed = "1";
        next.classList.remove("d-none");
        next.querySelector("[data-image-file]").focus();
      }
      arrangeSlots();
    });
  }
  arrangeSlots();
  update();
})();

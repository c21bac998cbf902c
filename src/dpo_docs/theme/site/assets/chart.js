/* The web edition's org chart: pan, zoom, search and fold, by mouse, touch and keyboard.
   Plain script, no dependency, no request. The page works without it; it reveals the
   controls it drives. Every text it shows comes from the page (the catalogs' labels). */
(function () {
  "use strict";
  var canvas = document.getElementById("chart-canvas");
  var svg = canvas && canvas.querySelector("svg");
  if (!svg) return;
  var controls = document.getElementById("chart-controls");
  var status = document.getElementById("chart-status");
  var search = document.getElementById("chart-search");
  var rtl = document.documentElement.dir === "rtl";
  var W = +svg.getAttribute("data-width"), H = +svg.getAttribute("data-height");
  var nodes = [].slice.call(svg.querySelectorAll(".node"));
  var READABLE = 0.8; // chart units per pixel at most when showing a found box: 8-pt text at 10 px
  var view = {x: 0, y: 0, per: 1}; // top-left corner in chart units, chart units per pixel
  var current = nodes[0], matches = [], shown = -1;

  canvas.classList.add("live");
  controls.hidden = false;
  document.getElementById("chart-help").hidden = false;
  canvas.tabIndex = 0;
  svg.setAttribute("aria-describedby", "chart-help"); // the keys, read out when a box takes focus

  function size() { return {w: svg.clientWidth || 1, h: svg.clientHeight || 1}; }
  function apply() {
    var s = size();
    svg.setAttribute("viewBox", [view.x, view.y, s.w * view.per, s.h * view.per].join(" "));
  }
  // The canvas: as tall as the chart drawn to its width, within 40 % and 75 % of the window.
  function frame() {
    var h = Math.min(innerHeight * 0.75, Math.max(innerHeight * 0.4, svg.clientWidth * H / W));
    svg.style.height = Math.round(h) + "px";
  }
  function fit() {
    var s = size();
    view.per = Math.max(W / s.w, H / s.h);
    view.x = (W - s.w * view.per) / 2;
    view.y = (H - s.h * view.per) / 2;
    apply();
  }
  function zoom(factor, px, py) {
    var s = size();
    if (px === undefined) { px = s.w / 2; py = s.h / 2; }
    var per = Math.min(Math.max(view.per / factor, 0.1), 4 * Math.max(W / s.w, H / s.h));
    view.x += px * (view.per - per);
    view.y += py * (view.per - per);
    view.per = per;
    apply();
  }
  function pan(dx, dy) { view.x -= dx * view.per; view.y -= dy * view.per; apply(); }
  function centre(node, readable) {
    var b = node.querySelector(".box").getBBox(), s = size();
    if (readable && view.per > READABLE) view.per = READABLE;
    view.per = Math.max(view.per, b.width * 1.2 / s.w);
    view.x = b.x + b.width / 2 - s.w * view.per / 2;
    view.y = b.y + b.height / 2 - s.h * view.per / 2;
    apply();
  }
  function inView(node) {
    var b = node.querySelector(".box").getBBox(), s = size();
    return b.x >= view.x && b.y >= view.y && b.x + b.width <= view.x + s.w * view.per &&
      b.y + b.height <= view.y + s.h * view.per;
  }

  // The tree, read from the nesting: a node's children are the items of its branch group.
  function kids(node) {
    var branch = node.querySelector(":scope > .branch");
    return branch ? [].slice.call(branch.querySelectorAll(":scope > .node")) : [];
  }
  function up(node) { return node.parentNode.closest(".node"); }
  function open(node) { return node.getAttribute("aria-expanded") === "true"; }
  function visible(node) {
    for (var p = up(node); p; p = up(p)) if (!open(p)) return false;
    return true;
  }
  function fold(node, expanded) {
    if (!node.hasAttribute("aria-expanded")) return;
    node.setAttribute("aria-expanded", expanded ? "true" : "false");
  }
  function go(node, show) {
    if (!node) return;
    current.tabIndex = -1;
    current = node;
    node.tabIndex = 0;
    node.focus({preventScroll: true});
    if (show || !inView(node)) centre(node, false);
  }

  svg.addEventListener("keydown", function (e) {
    var node = e.target.closest && e.target.closest(".node");
    if (!node) return;
    var sibs = up(node) ? kids(up(node)) : [node], i = sibs.indexOf(node);
    var next = rtl ? sibs[i - 1] : sibs[i + 1], prev = rtl ? sibs[i + 1] : sibs[i - 1];
    var all = nodes.filter(visible);
    switch (e.key) {
      case "Enter": case " ": fold(node, !open(node)); break;
      case "ArrowDown": go(open(node) ? kids(node)[0] : null); break;
      case "ArrowUp": go(up(node)); break;
      case "ArrowRight": go(next); break;
      case "ArrowLeft": go(prev); break;
      case "Home": go(all[0]); break;
      case "End": go(all[all.length - 1]); break;
      default: return;
    }
    e.preventDefault();
    e.stopPropagation();
  });

  canvas.addEventListener("keydown", function (e) {
    if (e.target !== canvas) return;
    var step = 40, keys = {ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step]};
    if (keys[e.key]) pan(keys[e.key][0], keys[e.key][1]);
    else if (e.key === "+" || e.key === "=") zoom(1.25);
    else if (e.key === "-") zoom(0.8);
    else if (e.key === "0") fit();
    else return;
    e.preventDefault();
  });

  // Pointers: one drags the view, two pinch it; a press that does not move is a click.
  var points = {}, moved = false, last = null;
  function spread() {
    var p = Object.keys(points).map(function (k) { return points[k]; });
    if (p.length < 2) return null;
    return {d: Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y), x: (p[0].x + p[1].x) / 2, y: (p[0].y + p[1].y) / 2};
  }
  svg.addEventListener("pointerdown", function (e) {
    if (e.button !== 0) return;
    var r = svg.getBoundingClientRect();
    points[e.pointerId] = {x: e.clientX - r.left, y: e.clientY - r.top};
    if (Object.keys(points).length === 1) moved = false;
    last = spread();
  });
  svg.addEventListener("pointermove", function (e) {
    var p = points[e.pointerId];
    if (!p) return;
    var r = svg.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
    if (!moved && Math.hypot(x - p.x, y - p.y) < 4) return;
    if (!moved) { svg.setPointerCapture(e.pointerId); svg.classList.add("dragging"); }
    moved = true;
    var before = last;
    points[e.pointerId] = {x: x, y: y};
    last = spread();
    if (before && last) {
      pan(last.x - before.x, last.y - before.y);
      zoom(last.d / before.d, last.x, last.y);
    } else if (!last) pan(x - p.x, y - p.y);
  });
  function release(e) {
    delete points[e.pointerId];
    last = spread();
    svg.classList.remove("dragging");
  }
  svg.addEventListener("pointerup", release);
  svg.addEventListener("pointercancel", release);
  svg.addEventListener("click", function (e) {
    var node = e.target.closest(".node");
    if (moved || !node) return;
    go(node);
    fold(node, !open(node));
  });
  svg.addEventListener("wheel", function (e) {
    var r = svg.getBoundingClientRect();
    e.preventDefault();
    zoom(Math.exp(-e.deltaY * (e.deltaMode ? 0.05 : 0.0015)), e.clientX - r.left, e.clientY - r.top);
  }, {passive: false});

  controls.addEventListener("click", function (e) {
    var z = e.target.closest("[data-zoom]");
    if (!z) return;
    var how = z.getAttribute("data-zoom");
    if (how === "reset") fit(); else zoom(how === "in" ? 1.25 : 0.8);
  });

  // Search by name or acronym, whatever the case and the accents.
  function plain(text) { return (text || "").normalize("NFD").replace(/\p{M}/gu, "").toLowerCase(); }
  function reveal(node) { for (var p = up(node); p; p = up(p)) fold(p, true); }
  function show(i) {
    var node = matches[i];
    shown = i;
    centre(node, true);
    canvas.scrollIntoView({block: "nearest"});
  }
  search.addEventListener("input", function () {
    var q = plain(search.value.trim());
    matches.forEach(function (n) { n.classList.remove("match"); });
    matches = [];
    if (q) {
      var scored = nodes.map(function (n, i) {
        var acr = plain(n.getAttribute("data-acronym")), name = plain(n.getAttribute("data-name"));
        var rank = acr === q ? 0 : acr.indexOf(q) === 0 ? 1 : name.indexOf(q) >= 0 || acr.indexOf(q) >= 0 ? 2 : 3;
        return {n: n, rank: rank, i: i};
      }).filter(function (s) { return s.rank < 3; });
      scored.sort(function (a, b) { return a.rank - b.rank || a.i - b.i; });
      matches = scored.map(function (s) { return s.n; });
    }
    // Every box found is drawn: the branches that hold one unfold.
    matches.forEach(function (n) { n.classList.add("match"); reveal(n); });
    status.textContent = q ? status.getAttribute("data-template").replace("{n}", matches.length) : "";
    if (matches.length) show(0);
  });
  search.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && matches.length) { e.preventDefault(); show((shown + 1) % matches.length); }
  });

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { frame(); apply(); }, 100);
  });
  frame();
  fit();
})();

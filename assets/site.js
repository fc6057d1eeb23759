// Ring partnerships: small enhancements over server-rendered pages. Everything here is
// optional: each page is complete without it. No framework, no request to another origin.
(function () {
  "use strict";
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };

  // Map details on hover and keyboard focus, in a live region beside the map.
  $$(".map-wrap").forEach(function (wrap) {
    var svg = $("svg.map", wrap);
    var detail = $(".detail", wrap);
    if (!svg) return;
    var show = function (ev) {
      var c = ev.target.closest ? ev.target.closest("circle, a") : null;
      if (!c) return;
      var circle = c.tagName.toLowerCase() === "circle" ? c : $("circle", c);
      if (!circle) return;
      $$("circle.hl", svg).forEach(function (e) { e.classList.remove("hl"); });
      circle.classList.add("hl");
      var t = $("title", circle);
      if (detail && t) detail.textContent = t.textContent;
    };
    svg.addEventListener("mouseover", show);
    svg.addEventListener("focusin", show);

    // Zoom into a state: click it, or choose it from the list.
    var full = svg.getAttribute("viewBox");
    var zoom = $("select.zoom", wrap);
    var zoomTo = function (code) {
      $$(".st.on", svg).forEach(function (e) { e.classList.remove("on"); });
      if (!code) { svg.setAttribute("viewBox", full); return; }
      var st = $('.st[data-state="' + code + '"]', svg);
      if (!st) return;
      st.classList.add("on");
      var b = st.getBBox(), m = Math.max(b.width, b.height) * 0.1 + 4;
      svg.setAttribute("viewBox", [b.x - m, b.y - m, b.width + 2 * m, b.height + 2 * m].join(" "));
    };
    if (zoom) {
      zoom.addEventListener("change", function () { zoomTo(zoom.value); });
      svg.addEventListener("click", function (ev) {
        var st = ev.target.closest ? ev.target.closest(".st") : null;
        if (!st) return;
        var code = st.getAttribute("data-state");
        zoom.value = zoom.value === code ? "" : code;
        zoomTo(zoom.value);
      });
    }

    // The date slider: a marker shows on a day between its data-from and data-to
    // (the API's `active_on` rule, computed on the server).
    var slider = $("input.day", wrap);
    var out = $(".day-label", wrap);
    var count = $(".shown", wrap);
    if (slider) {
      var first = slider.getAttribute("data-first"); // YYYY-MM
      var apply = function () {
        var v = parseInt(slider.value, 10), max = parseInt(slider.max, 10);
        var day = null;
        if (v < max) {
          var y = parseInt(first.slice(0, 4), 10), m = parseInt(first.slice(5, 7), 10) - 1 + v;
          y += Math.floor(m / 12); m = m % 12;
          day = y + "-" + (m < 9 ? "0" : "") + (m + 1) + "-01";
        }
        var n = 0;
        $$("g.mk circle", svg).forEach(function (c) {
          var from = c.getAttribute("data-from"), to = c.getAttribute("data-to");
          var on = day === null || (!c.hasAttribute("data-never") && (!from || from <= day) && (!to || day <= to));
          c.classList.toggle("off", !on);
          var a = c.parentNode;
          if (a && a.tagName.toLowerCase() === "a") { if (on) a.removeAttribute("tabindex"); else a.setAttribute("tabindex", "-1"); }
          if (on) n++;
        });
        if (out) out.textContent = day === null ? "any date" : "active on " + day;
        if (count) count.textContent = String(n);
        wrap.setAttribute("data-day", day || "");
        postHeight();
      };
      slider.addEventListener("input", apply);
      slider.hidden = false;
      var lab = $("label[for='" + slider.id + "']", wrap);
      if (lab) lab.hidden = false;
    }
  });

  // "Near me": the browser's position, then the nearest partnerships from this site's API.
  var near = $("#near-me");
  if (near && navigator.geolocation) {
    near.hidden = false;
    near.addEventListener("click", function () {
      var list = $("#near-results");
      list.textContent = "Finding your position…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        var q = pos.coords.latitude.toFixed(4) + "," + pos.coords.longitude.toFixed(4);
        fetch("/partnerships?limit=10&near=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (body) {
            list.textContent = "";
            (body.data || []).forEach(function (p) {
              var li = document.createElement("li");
              var a = document.createElement("a");
              a.href = "/agencies/" + encodeURIComponent(p.agency.id);
              a.textContent = p.agency.name + " (" + p.agency.state + ")";
              li.appendChild(a);
              var km = (p.distance_m || 0) / 1000;
              li.appendChild(document.createTextNode(" — " + km.toFixed(1) + " km (" + (km / 1.609344).toFixed(1) + " mi), " + p.status));
              list.appendChild(li);
            });
            if (!list.children.length) list.textContent = "No partnership found.";
          })
          .catch(function () { list.textContent = "Could not load the nearest partnerships."; });
      }, function () { list.textContent = "Your browser did not share a position."; });
    });
  }

  // The embed snippet builder: pinned to the dataset version shown (as_of) unless asked.
  var builder = $("#snippet");
  if (builder) {
    var update = function () {
      var base = builder.getAttribute("data-base");
      var kind = $("[name=kind]", builder).value;
      var params = [];
      $$("[data-param]", builder).forEach(function (el) {
        if (el.value) params.push(el.getAttribute("data-param") + "=" + encodeURIComponent(el.value));
      });
      var pin = $("[name=pin]", builder);
      if (pin && pin.checked) params.push("as_of=" + encodeURIComponent(builder.getAttribute("data-as-of")));
      var src = base + "/embed/" + kind + (params.length ? "?" + params.join("&") : "");
      var h = kind === "count" ? 160 : kind === "table" ? 480 : 560;
      $("textarea", builder).value = '<iframe src="' + src + '" title="Ring police partnerships" width="100%" height="' + h +
        '" style="border:0" loading="lazy"></iframe>';
    };
    $$("select, input", builder).forEach(function (el) { el.addEventListener("change", update); });
    update();
  }

  // Embeds report their height: the pym.js message protocol, and a plain postMessage.
  function postHeight() {
    if (!document.body.classList.contains("embed") || window.parent === window) return;
    var h = Math.ceil(document.documentElement.scrollHeight);
    var id = new URLSearchParams(location.search).get("childId");
    if (id) window.parent.postMessage("pym" + "xPYMx" + id + "xPYMx" + "height" + "xPYMx" + h, "*");
    window.parent.postMessage({ type: "ring-partnerships:height", height: h, src: location.href }, "*");
  }
  window.addEventListener("load", postHeight);
  window.addEventListener("resize", postHeight);
  if (window.ResizeObserver) new ResizeObserver(postHeight).observe(document.documentElement);
  document.documentElement.setAttribute("data-js", "1");
})();

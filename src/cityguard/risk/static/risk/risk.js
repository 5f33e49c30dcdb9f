/* CityGuard risk pages: the assessment's live score preview, the four-colour map and the
   levels-by-street chart. Progressive: without it the form still submits and the server
   computes the level; the dashboard keeps its tables. */
(function () {
  "use strict";

  function readJSON(id) {
    var el = id && document.getElementById(id);
    if (!el) return null;
    try {
      return JSON.parse(el.textContent);
    } catch (e) {
      return null;
    }
  }

  function safeColour(value, fallback) {
    return /^#[0-9a-fA-F]{3,8}$/.test(value || "") ? value : fallback || "#9e9e9e";
  }

  /* --- scoring: the same rule as risk/scoring.py -------------------------------------- */

  function round6(x) {
    return Math.round(x * 1e6) / 1e6;
  }

  function levelOf(method, score, bands) {
    var b = bands[method];
    if (method === "lec") {
      if (score > b.major) return "major";
      if (score > b.large) return "large";
      if (score > b.general) return "general";
      return "low";
    }
    if (score >= b.major) return "major";
    if (score >= b.large) return "large";
    if (score >= b.general) return "general";
    return "low";
  }

  function fmt(x) {
    return String(round6(x));
  }

  function initAssess() {
    var form = document.querySelector("form[data-risk-assess]");
    if (!form) return;
    var cfg = readJSON(form.dataset.riskAssess);
    if (!cfg) return;
    var box = document.getElementById("risk-preview");
    var scoreEl = document.getElementById("risk-preview-score");
    var levelEl = document.getElementById("risk-preview-level");
    var idle = levelEl.textContent;

    function value(name) {
      var el = form.elements[name];
      if (!el || el.value === "") return null;
      var x = parseFloat(el.value);
      return isFinite(x) ? x : null;
    }

    function method() {
      var checked = form.querySelector("input[name=method]:checked");
      return checked ? checked.value : "lec";
    }

    function update() {
      var m = method();
      form.querySelectorAll(".risk-factors").forEach(function (group) {
        group.hidden = group.dataset.method !== m;
      });
      var names = m === "lec" ? ["l", "e", "c"] : ["likelihood", "severity"];
      var values = names.map(value);
      if (values.some(function (v) { return v === null; })) {
        scoreEl.textContent = "—";
        levelEl.textContent = idle;
        box.style.setProperty("--level", safeColour(cfg.unassessed.colour));
        return;
      }
      var score = round6(values.reduce(function (a, b) { return a * b; }, 1));
      var level = levelOf(m, score, cfg.bands);
      var info = cfg.levels[level];
      scoreEl.textContent = (m === "lec" ? "D = " : "R = ") + values.map(fmt).join(" × ") + " = " + fmt(score);
      levelEl.textContent = info.label;
      box.dataset.level = level;
      box.style.setProperty("--level", safeColour(info.colour));
    }

    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  }

  /* --- dashboard ------------------------------------------------------------------------ */

  function initAutosubmit() {
    document.querySelectorAll("select[data-risk-autosubmit]").forEach(function (sel) {
      sel.addEventListener("change", function () { sel.form.submit(); });
    });
  }

  function initStreetChart() {
    var el = document.querySelector("[data-risk-streets]");
    if (!el || !window.echarts) return;
    var data = readJSON(el.dataset.riskStreets);
    if (!data || !data.streets.length) return;
    var narrow = window.innerWidth < 640;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category",
        inverse: true,
        data: data.streets,
        axisLabel: { width: narrow ? 72 : 120, overflow: "truncate" }
      },
      series: data.series.map(function (s) {
        return {
          name: s.name,
          type: "bar",
          stack: "total",
          data: s.data,
          itemStyle: { color: safeColour(s.colour) },
          emphasis: { focus: "series" }
        };
      })
    });
    chart.on("click", function (p) {
      var code = data.codes[p.dataIndex];
      if (code) window.location.href = data.url + encodeURIComponent(code);
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function popup(props) {
    var box = document.createElement("div");
    box.className = "cg-popup";
    var title = document.createElement("strong");
    title.textContent = props.name || "";
    box.appendChild(title);
    if (props.kind_label) {
      var p = document.createElement("div");
      p.textContent = props.kind_label;
      box.appendChild(p);
    }
    if (props.organization) {
      var o = document.createElement("div");
      o.className = "muted";
      o.textContent = props.organization;
      box.appendChild(o);
    }
    if (props.url && /^\/[^/]/.test(props.url)) {
      var a = document.createElement("a");
      a.href = props.url;
      a.textContent = "→";
      a.setAttribute("aria-label", props.name || "");
      box.appendChild(document.createTextNode(" "));
      box.appendChild(a);
    }
    return box;
  }

  function initMap() {
    var el = document.querySelector("[data-risk-map]");
    var L = window.L;
    if (!el || !L) return;
    var cfg = readJSON(el.dataset.riskMap);
    if (!cfg) return;
    el.textContent = "";
    var map = L.map(el, { scrollWheelZoom: false, zoomSnap: 0.25, attributionControl: !!cfg.tiles });
    if (cfg.tiles) {
      cfg.tiles.split("|").forEach(function (url) {
        L.tileLayer(url.trim(), {
          attribution: cfg.attribution || "",
          subdomains: cfg.subdomains || "abc",
          maxZoom: 19
        }).addTo(map);
      });
    } else {
      el.classList.add("no-tiles");
    }
    var crs = cfg.crs || "wgs84";
    var areas = L.geoJSON(null, {
      style: function (f) {
        var p = f.properties || {};
        return {
          color: "#546e7a",
          weight: 1.5,
          fillColor: safeColour(p.colour),
          fillOpacity: typeof p.fill_opacity === "number" ? p.fill_opacity : 0.3
        };
      },
      onEachFeature: function (f, layer) {
        layer.bindPopup(function () { return popup(f.properties || {}); });
      }
    }).addTo(map);
    var points = L.geoJSON(null, {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, {
          radius: 6,
          color: "#fff",
          weight: 1.5,
          fillColor: safeColour(f.properties && f.properties.colour),
          fillOpacity: 0.95
        });
      },
      onEachFeature: function (f, layer) {
        layer.bindPopup(function () { return popup(f.properties || {}); });
      }
    }).addTo(map);
    var targets = [areas, points];
    var street = cfg.street;
    Promise.all(
      (cfg.layers || []).map(function (url) {
        return fetch(url + "?crs=" + encodeURIComponent(crs), {
          credentials: "same-origin",
          headers: { Accept: "application/geo+json" }
        }).then(function (r) { return r.ok ? r.json() : null; });
      })
    ).then(function (collections) {
      collections.forEach(function (fc, i) {
        if (!fc) return;
        if (street && i === 0) {
          fc.features = fc.features.filter(function (f) { return f.properties.code === street; });
        }
        targets[i].addData(fc);
      });
      var bounds = areas.getBounds();
      if (!bounds.isValid()) bounds = points.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
      else map.setView([31.28, 121.52], 12);
    }).catch(function () {
      map.setView([31.28, 121.52], 12);
    });
  }

  function init() {
    initAssess();
    initAutosubmit();
    initStreetChart();
    initMap();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

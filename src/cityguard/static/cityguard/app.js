/* CityGuard 城市安全 — behaviour shared by the pages. Everything here is progressive:
   the pages work without it (menu open, forms submit, tables readable). */
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

  /* --- navigation --------------------------------------------------------------- */

  function initNav() {
    var toggle = document.querySelector(".nav-toggle");
    var panel = document.getElementById("site-nav");
    if (!toggle || !panel) return;
    toggle.addEventListener("click", function () {
      var open = panel.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && panel.classList.contains("open")) {
        panel.classList.remove("open");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
    document.addEventListener("click", function (e) {
      // Open menus (the user menu, navigation groups) close on a click elsewhere.
      document.querySelectorAll("details.user-menu[open], .nav-group details[open]").forEach(function (d) {
        if (!d.contains(e.target)) d.removeAttribute("open");
      });
    });
  }

  /* After htmx swaps a list in place and pushes the URL, the language switch must
     come back to the filtered page, not the one first loaded. */
  function syncNext() {
    document.querySelectorAll(".lang-switch input[name=next]").forEach(function (input) {
      input.value = window.location.pathname + window.location.search;
    });
  }

  /* --- filters ------------------------------------------------------------------ */

  function initFilters(root) {
    (root || document).querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      if (form.dataset.bound) return;
      form.dataset.bound = "1";
      var toggle = form.querySelector(".filters-toggle");
      if (toggle) {
        toggle.addEventListener("click", function () {
          var open = form.classList.toggle("expanded");
          toggle.setAttribute("aria-expanded", open ? "true" : "false");
        });
      }
      // Empty fields add nothing to a filter: leave them out of the URL.
      form.addEventListener("htmx:configRequest", function (e) {
        var params = e.detail.parameters;
        var keys = params.keys ? Array.from(params.keys()) : Object.keys(params);
        keys.forEach(function (k) {
          var v = params.get ? params.get(k) : params[k];
          if (v === "" || v == null) {
            if (params.delete) params.delete(k);
            else delete params[k];
          }
        });
      });
      form.addEventListener("submit", function () {
        if (window.htmx) return;
        form.querySelectorAll("input, select").forEach(function (el) {
          if (el.name && el.value === "") el.disabled = true;
        });
      });
      if (window.htmx) return; // htmx triggers on change itself
      form.querySelectorAll("select").forEach(function (sel) {
        sel.addEventListener("change", function () {
          form.requestSubmit ? form.requestSubmit() : form.submit();
        });
      });
    });
  }

  /* --- charts (ECharts) ------------------------------------------------------------- */

  var charts = [];

  function barOption(items, opts) {
    var rows = items.slice().reverse(); // largest at the top of a horizontal bar chart
    return {
      animationDuration: 400,
      grid: { left: 8, right: 36, top: 6, bottom: 6, containLabel: true },
      tooltip: { trigger: "item", formatter: "{b}: {c}" },
      xAxis: {
        type: "value",
        minInterval: 1,
        splitLine: { lineStyle: { color: "#edf1f5" } },
        axisLabel: { color: "#66788a" }
      },
      yAxis: {
        type: "category",
        data: rows.map(function (i) { return i.name; }),
        axisTick: { show: false },
        axisLine: { lineStyle: { color: "#d9e1ea" } },
        axisLabel: {
          color: "#3c4a5a",
          width: opts.labelWidth || 110,
          overflow: "truncate"
        }
      },
      series: [
        {
          type: "bar",
          barMaxWidth: 22,
          data: rows.map(function (i) {
            return { value: i.value, url: i.url, itemStyle: { color: i.colour, borderRadius: [0, 3, 3, 0] } };
          }),
          label: { show: true, position: "right", color: "#3c4a5a", fontSize: 12 }
        }
      ]
    };
  }

  function pieOption(items) {
    var narrow = window.innerWidth < 480;
    return {
      animationDuration: 400,
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: {
        type: "scroll",
        bottom: 0,
        icon: "circle",
        itemWidth: 9,
        itemHeight: 9,
        textStyle: { color: "#3c4a5a" }
      },
      series: [
        {
          type: "pie",
          radius: narrow ? ["38%", "62%"] : ["42%", "68%"],
          center: ["50%", "44%"],
          avoidLabelOverlap: true,
          itemStyle: { borderColor: "#fff", borderWidth: 2 },
          label: narrow
            ? { position: "inside", formatter: "{c}", color: "#fff", fontSize: 11 }
            : { formatter: "{c}", color: "#3c4a5a" },
          labelLine: { show: !narrow },
          data: items.map(function (i) {
            return { name: i.name, value: i.value, url: i.url, itemStyle: { color: i.colour } };
          })
        }
      ]
    };
  }

  function initCharts() {
    var nodes = document.querySelectorAll("[data-chart]");
    if (!nodes.length || !window.echarts) return;
    nodes.forEach(function (el) {
      var items = readJSON(el.dataset.source) || [];
      if (!items.length) return;
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      var option = el.dataset.chart === "pie"
        ? pieOption(items)
        : barOption(items, { labelWidth: window.innerWidth < 640 ? 80 : 120 });
      chart.setOption(option);
      chart.on("click", function (p) {
        if (p.data && p.data.url) window.location.href = p.data.url;
      });
      charts.push(chart);
    });
    var pending;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        charts.forEach(function (c) { c.resize(); });
      }, 120);
    });
  }

  /* --- maps (Leaflet) ----------------------------------------------------------------- */

  function baseMap(el, config, options) {
    var L = window.L;
    var map = L.map(el, Object.assign({
      scrollWheelZoom: false,
      attributionControl: !!config.tiles,
      zoomSnap: 0.25
    }, options || {}));
    if (config.tiles) {
      L.tileLayer(config.tiles, {
        attribution: config.attribution || "",
        subdomains: config.subdomains || "abc",
        maxZoom: 19
      }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    return map;
  }

  function addFeatures(map, collection) {
    var L = window.L;
    var layer = L.geoJSON(collection, {
      style: function (f) {
        var p = f.properties || {};
        if (f.geometry && f.geometry.type === "Point") return {}; // see pointToLayer
        var context = p.role === "context" || p.role === "related";
        return {
          color: p.colour || "#1565c0",
          weight: context ? 1.5 : 2.5,
          opacity: context ? 0.7 : 0.95,
          fillOpacity: context ? 0.04 : 0.12,
          dashArray: p.role === "context" ? "4 4" : null
        };
      },
      pointToLayer: function (f, latlng) {
        var p = f.properties || {};
        var main = p.role === "main";
        return L.circleMarker(latlng, {
          radius: main ? 9 : 6,
          color: "#fff",
          weight: 2,
          fillColor: p.colour || "#1565c0",
          fillOpacity: main ? 1 : 0.85
        });
      },
      onEachFeature: function (f, l) {
        var p = f.properties || {};
        if (!p.label) return;
        if (p.url) {
          var a = document.createElement("a");
          a.href = p.url;
          a.textContent = p.label;
          l.bindPopup(a);
        } else {
          l.bindTooltip(p.label);
        }
      }
    }).addTo(map);
    return layer;
  }

  function fit(map, layer, fallback) {
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      var ne = bounds.getNorthEast();
      var sw = bounds.getSouthWest();
      if (ne.equals(sw)) map.setView(ne, 16);
      else map.fitBounds(bounds, { padding: [18, 18], maxZoom: 17 });
    } else if (fallback) {
      map.setView(fallback, 12);
    }
  }

  function initMinimaps() {
    if (!window.L) return;
    document.querySelectorAll("[data-minimap]").forEach(function (el) {
      var config = readJSON(el.dataset.minimap);
      if (!config || !config.features || !config.features.features.length) return;
      el.textContent = "";
      var map = baseMap(el, config);
      var layer = addFeatures(map, config.features);
      // Draw the record above the context it sits in.
      layer.eachLayer(function (l) {
        var role = l.feature && l.feature.properties && l.feature.properties.role;
        if (role === "main" && l.bringToFront) l.bringToFront();
      });
      fit(map, layer);
    });
  }

  function initPickers() {
    if (!window.L) return;
    document.querySelectorAll("[data-picker]").forEach(function (el) {
      var config = readJSON(el.dataset.picker);
      if (!config) return;
      var lonInput = document.getElementById(config.lon_input);
      var latInput = document.getElementById(config.lat_input);
      if (!lonInput || !latInput) return;
      el.textContent = "";
      var L = window.L;
      var map = baseMap(el, config, { scrollWheelZoom: true });
      var context = addFeatures(map, config.features);
      var marker = null;

      function current() {
        var lon = parseFloat(lonInput.value);
        var lat = parseFloat(latInput.value);
        return isFinite(lon) && isFinite(lat) ? L.latLng(lat, lon) : null;
      }

      function place(latlng) {
        if (!latlng) {
          if (marker) { map.removeLayer(marker); marker = null; }
          return;
        }
        if (!marker) {
          marker = L.marker(latlng, { draggable: true, keyboard: true }).addTo(map);
          marker.on("dragend", function () { write(marker.getLatLng()); });
        } else {
          marker.setLatLng(latlng);
        }
      }

      function write(latlng) {
        lonInput.value = latlng.lng.toFixed(6);
        latInput.value = latlng.lat.toFixed(6);
        lonInput.dispatchEvent(new Event("change", { bubbles: true }));
      }

      map.on("click", function (e) {
        write(e.latlng);
        place(e.latlng);
      });
      [lonInput, latInput].forEach(function (input) {
        input.addEventListener("input", function () { place(current()); });
      });

      var start = current();
      place(start);
      if (start) map.setView(start, 15);
      else fit(map, context, L.latLng(31.28, 121.52));
    });
  }

  function init() {
    initNav();
    initFilters(document);
    initCharts();
    initMinimaps();
    initPickers();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();

  document.addEventListener("htmx:afterSwap", function (e) { initFilters(e.target); });
  document.addEventListener("htmx:pushedIntoHistory", syncNext);
  document.addEventListener("htmx:replacedInHistory", syncNext);
})();

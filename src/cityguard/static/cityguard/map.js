/* The one map: every registered layer over a configurable basemap.
 *
 * The page embeds its configuration as JSON (#cg-map-config): the layer list (the same
 * as GET /api/v1/map/layers), the basemap settings, the initial view and the UI strings
 * in the page language. Each visible layer is fetched for the current viewport; features
 * come already shifted onto the basemap's datum (`crs=`), so the map works in that datum
 * throughout and only the few WGS 84 values from elsewhere go through CityguardCoords.
 *
 * `window.cityguardMap` reports what is drawn (per-layer feature counts), for people
 * debugging in the console and for the browser tests.
 */
(function () {
  "use strict";

  var configEl = document.getElementById("cg-map-config");
  var mapEl = document.getElementById("cg-map");
  if (!configEl || !mapEl || typeof L === "undefined") return;

  var cfg = JSON.parse(configEl.textContent);
  var S = cfg.strings;
  var crs = cfg.tiles.crs || "wgs84";
  var lang = document.documentElement.lang || undefined;
  var DEBOUNCE_MS = 250;
  var PHONE = window.matchMedia("(max-width: 640px)");

  var status = {
    ready: false,
    crs: crs,
    tiles: cfg.tiles.urls.length ? "loading" : "none",
    fetches: 0,
    layers: {},
    map: null,
  };
  window.cityguardMap = status;

  // --- small DOM helpers (text only: names and addresses are user data) ----------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function safeColour(value, fallback) {
    return /^#[0-9a-fA-F]{3,8}$/.test(value || "") ? value : fallback || "#546e7a";
  }

  function safeUrl(value) {
    if (typeof value !== "string") return null;
    if (value.charAt(0) === "/" && value.charAt(1) !== "/") return value;
    return /^https?:\/\//i.test(value) ? value : null;
  }

  function toLatLng(lon, lat) {
    var p = CityguardCoords.fromWgs84(crs, lon, lat);
    return L.latLng(p[1], p[0]);
  }

  // --- the map and its basemap ------------------------------------------------------------

  // Sized before the map exists so the first fitBounds sees the final size.
  function sizeMapEl() {
    var top = mapEl.getBoundingClientRect().top + window.scrollY;
    mapEl.style.height = Math.max(320, window.innerHeight - top) + "px";
  }
  sizeMapEl();

  var map = L.map(mapEl, { zoomControl: false, minZoom: 3, maxZoom: 19 });
  status.map = map;
  mapEl.classList.add(cfg.tiles.urls.length ? "cg-map--tiles" : "cg-map--plain");

  var notices = el("div", "cg-map-notices");
  notices.setAttribute("role", "status");
  notices.setAttribute("aria-live", "polite");
  mapEl.appendChild(notices);
  L.DomEvent.disableClickPropagation(notices);

  function notice(key, text) {
    var existing = notices.querySelector('[data-notice="' + key + '"]');
    if (!text) {
      if (existing) existing.remove();
      return;
    }
    if (!existing) {
      existing = el("div", "cg-map-notice");
      existing.dataset.notice = key;
      notices.appendChild(existing);
    }
    existing.textContent = text;
  }

  var tilesLoaded = 0;
  cfg.tiles.urls.forEach(function (url) {
    var tiles = L.tileLayer(url, {
      subdomains: cfg.tiles.subdomains,
      attribution: cfg.tiles.attribution,
      maxZoom: 19,
      maxNativeZoom: 18,
    });
    tiles.on("tileload", function () {
      tilesLoaded += 1;
      status.tiles = "ok";
      mapEl.classList.remove("cg-map--no-tiles");
      notice("tiles", null);
    });
    // Unreachable tiles must not hide anything: the overlays live in their own panes,
    // so the page only switches to the plain background and says why.
    tiles.on("tileerror", function () {
      if (tilesLoaded > 0) return;
      status.tiles = "failed";
      mapEl.classList.add("cg-map--no-tiles");
      notice("tiles", S.tilesFailed);
    });
    tiles.addTo(map);
  });

  // --- initial view: the district (or the user's own jurisdiction) -----------------------

  var extent = cfg.view.extent;
  if (extent) {
    map.fitBounds(L.latLngBounds(toLatLng(extent[0], extent[1]), toLatLng(extent[2], extent[3])), {
      padding: [12, 12],
    });
  } else {
    map.setView(toLatLng(cfg.view.centre[0], cfg.view.centre[1]), cfg.view.zoom);
  }

  // --- popups ---------------------------------------------------------------------------------

  function popupContent(props, layerTitle) {
    var box = el("div", "cg-popup");
    box.appendChild(el("strong", "cg-popup-title", props.name || layerTitle));
    var rows = el("dl", "cg-popup-rows");
    function row(label, value) {
      if (value === undefined || value === null || value === "") return;
      rows.appendChild(el("dt", null, label));
      rows.appendChild(el("dd", null, value));
    }
    if (props.kind) row(S.kind, props.kind_label || cfg.kinds[props.kind] || props.kind);
    else if (layerTitle) row(S.kind, layerTitle);
    row(S.address, props.address);
    row(S.organization, props.organization);
    if (typeof props.population === "number") {
      row(S.population, props.population.toLocaleString(lang));
    }
    if (rows.childNodes.length) box.appendChild(rows);
    var href = safeUrl(props.url);
    if (href) {
      var link = el("a", "cg-popup-link", S.details);
      link.href = href;
      box.appendChild(link);
    }
    return box;
  }

  // --- layers -----------------------------------------------------------------------------------

  function clusterIcon(colour) {
    return function (cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? 30 : count < 100 ? 36 : 44;
      var html = el("div", "cg-cluster-inner", count);
      html.style.background = colour;
      return L.divIcon({
        html: html.outerHTML,
        className: "cg-cluster",
        iconSize: L.point(size, size),
      });
    };
  }

  var states = [];
  var byName = {};

  cfg.layers.forEach(function (def, index) {
    var colour = safeColour(def.colour);
    var isPoint = def.geometry === "point";
    // One pane per layer keeps the drawing order stable across refetches and keeps every
    // point above every area, so a marker inside a street can always be clicked.
    var pane = "cg-layer-" + index;
    map.createPane(pane).style.zIndex = String(
      isPoint ? Math.min(590, 450 + index) : Math.min(399, 300 + index)
    );
    var geojson = L.geoJSON(null, {
      pane: pane,
      // GeoJSON applies `style` to every feature; points keep their own marker style.
      style: function (feature) {
        if (feature && feature.geometry && /Point$/.test(feature.geometry.type)) return {};
        // A feature may carry its own fill (choropleths such as risk.streets).
        var p = (feature && feature.properties) || {};
        return {
          color: colour, weight: 2, opacity: 0.9,
          fillColor: safeColour(p.colour, colour),
          fillOpacity: typeof p.fill_opacity === "number" ? p.fill_opacity : 0.06
        };
      },
      pointToLayer: function (feature, latlng) {
        var c = safeColour(feature.properties && feature.properties.colour, colour);
        return L.circleMarker(latlng, {
          pane: pane,
          radius: 7,
          color: "#ffffff",
          weight: 1.5,
          fillColor: c,
          fillOpacity: 0.92,
          className: "cg-point",
        });
      },
      onEachFeature: function (feature, layer) {
        layer.bindPopup(function () {
          return popupContent(feature.properties || {}, def.title);
        });
      },
    });
    var shown = geojson;
    if (isPoint && def.cluster && L.markerClusterGroup) {
      shown = L.markerClusterGroup({
        showCoverageOnHover: false,
        maxClusterRadius: 45,
        disableClusteringAtZoom: 18,
        chunkedLoading: true,
        iconCreateFunction: clusterIcon(colour),
      });
    }
    var state = {
      def: def,
      colour: colour,
      geojson: geojson,
      shown: shown,
      on: false,
      controller: null,
      row: null,
      checkbox: null,
      countEl: null,
    };
    status.layers[def.name] = { on: false, loading: false, count: 0, truncated: false, error: false };
    states.push(state);
    byName[def.name] = state;
  });

  function bboxParam() {
    var b = map.getBounds().pad(0.15);
    var x1 = Math.max(-180, b.getWest());
    var y1 = Math.max(-90, b.getSouth());
    var x2 = Math.min(180, b.getEast());
    var y2 = Math.min(90, b.getNorth());
    return [x1, y1, x2, y2]
      .map(function (v) {
        return v.toFixed(6);
      })
      .join(",");
  }

  function updateTruncatedNotice() {
    var truncated = states.some(function (s) {
      return s.on && status.layers[s.def.name].truncated;
    });
    notice("truncated", truncated ? S.truncated : null);
  }

  function renderRowStatus(state) {
    if (!state.countEl) return;
    var st = status.layers[state.def.name];
    var text = "";
    if (!state.on) text = "";
    else if (st.loading) text = S.loading;
    else if (st.error) text = S.loadFailed;
    else text = st.count.toLocaleString(lang) + (st.truncated ? "+" : "");
    state.countEl.textContent = text;
    state.countEl.title = st.truncated ? S.truncated : "";
    state.row.classList.toggle("is-on", state.on);
    state.row.classList.toggle("is-truncated", state.on && st.truncated);
    state.row.classList.toggle("is-error", state.on && st.error);
  }

  function load(state) {
    if (state.controller) state.controller.abort();
    var controller = new AbortController();
    state.controller = controller;
    var st = status.layers[state.def.name];
    st.loading = true;
    renderRowStatus(state);
    var url =
      state.def.url +
      "?bbox=" +
      encodeURIComponent(bboxParam()) +
      "&crs=" +
      encodeURIComponent(crs);
    fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json, application/json" },
      signal: controller.signal,
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (collection) {
        if (controller !== state.controller || !state.on) return;
        state.controller = null;
        state.geojson.clearLayers();
        state.geojson.addData(collection);
        if (state.shown !== state.geojson) {
          state.shown.clearLayers();
          state.shown.addLayers(state.geojson.getLayers());
        }
        st.loading = false;
        st.error = false;
        st.count = collection.features.length;
        st.truncated = collection.truncated === true;
        status.fetches += 1;
        renderRowStatus(state);
        updateTruncatedNotice();
      })
      .catch(function (err) {
        if (err && err.name === "AbortError") return;
        if (controller !== state.controller) return;
        state.controller = null;
        st.loading = false;
        st.error = true;
        status.fetches += 1;
        renderRowStatus(state);
      });
  }

  function setOn(state, on) {
    state.on = on;
    var st = status.layers[state.def.name];
    st.on = on;
    if (state.checkbox) state.checkbox.checked = on;
    if (on) {
      state.shown.addTo(map);
      load(state);
    } else {
      if (state.controller) state.controller.abort();
      state.controller = null;
      map.removeLayer(state.shown);
      state.geojson.clearLayers();
      if (state.shown !== state.geojson) state.shown.clearLayers();
      st.loading = false;
      st.count = 0;
      st.truncated = false;
      st.error = false;
    }
    renderRowStatus(state);
    updateTruncatedNotice();
  }

  var timer = null;
  function refreshSoon() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () {
      timer = null;
      states.forEach(function (s) {
        if (s.on) load(s);
      });
    }, DEBOUNCE_MS);
  }

  // --- the layer switcher ---------------------------------------------------------------------

  var LayerPanel = L.Control.extend({
    options: { position: "topright" },
    onAdd: function () {
      var box = el("div", "cg-layers leaflet-bar");
      var toggle = el("button", "cg-layers-toggle", S.layers);
      toggle.type = "button";
      toggle.setAttribute("aria-controls", "cg-layers-panel");
      toggle.setAttribute("aria-expanded", "false");
      toggle.title = S.showLayers;
      var panel = el("div", "cg-layers-panel");
      panel.id = "cg-layers-panel";
      var head = el("div", "cg-layers-head");
      head.appendChild(el("h2", "cg-layers-title", S.layers));
      var close = el("button", "cg-layers-close", "×");
      close.type = "button";
      close.title = S.hideLayers;
      close.setAttribute("aria-label", S.hideLayers);
      head.appendChild(close);
      panel.appendChild(head);

      var groups = {};
      states.forEach(function (state) {
        var def = state.def;
        var group = groups[def.group];
        if (!group) {
          group = el("fieldset", "cg-layer-group");
          group.appendChild(el("legend", null, def.group));
          groups[def.group] = group;
          panel.appendChild(group);
        }
        var row = el("div", "cg-layer");
        row.dataset.layer = def.name;
        var label = el("label", "cg-layer-label");
        var box_ = el("input");
        box_.type = "checkbox";
        box_.name = def.name;
        var swatch = el("span", "cg-swatch cg-swatch--" + def.geometry);
        swatch.style.setProperty("--swatch", state.colour);
        swatch.setAttribute("aria-hidden", "true");
        label.appendChild(box_);
        label.appendChild(swatch);
        label.appendChild(el("span", "cg-layer-name", def.title));
        var count = el("span", "cg-layer-count");
        label.appendChild(count);
        row.appendChild(label);
        if (def.legend && def.legend.length) {
          var legend = el("ul", "cg-legend");
          legend.setAttribute("aria-label", S.legend + ": " + def.title);
          def.legend.forEach(function (item) {
            var li = el("li");
            var sw = el("span", "cg-swatch cg-swatch--point");
            sw.style.setProperty("--swatch", safeColour(item.colour));
            sw.setAttribute("aria-hidden", "true");
            li.appendChild(sw);
            li.appendChild(el("span", null, item.label));
            legend.appendChild(li);
          });
          row.appendChild(legend);
        }
        group.appendChild(row);
        state.row = row;
        state.checkbox = box_;
        state.countEl = count;
        box_.addEventListener("change", function () {
          setOn(state, box_.checked);
        });
      });

      function open(yes) {
        box.classList.toggle("is-open", yes);
        toggle.setAttribute("aria-expanded", yes ? "true" : "false");
        toggle.title = yes ? S.hideLayers : S.showLayers;
      }
      toggle.addEventListener("click", function () {
        open(!box.classList.contains("is-open"));
      });
      close.addEventListener("click", function () {
        open(false);
        toggle.focus();
      });
      box.appendChild(toggle);
      box.appendChild(panel);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      this.panel = panel;
      return box;
    },
  });

  // --- search organisations by name --------------------------------------------------------------

  var orgLayerPrefix = "core.organizations.";

  var SearchBox = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function () {
      var box = el("div", "cg-search leaflet-bar");
      var form = el("form", "cg-search-form");
      form.setAttribute("role", "search");
      var input = el("input", "cg-search-input");
      input.type = "search";
      input.name = "q";
      input.maxLength = 100;
      input.placeholder = S.search;
      input.setAttribute("aria-label", S.search);
      input.autocomplete = "off";
      var button = el("button", "cg-search-button", S.searchButton);
      button.type = "submit";
      var results = el("ul", "cg-search-results");
      results.setAttribute("aria-live", "polite");
      form.appendChild(input);
      form.appendChild(button);
      box.appendChild(form);
      box.appendChild(results);
      var controller = null;

      function show(org) {
        results.replaceChildren();
        if (org.lon === null || org.lat === null) {
          results.appendChild(el("li", "cg-search-empty", S.noLocation));
          return;
        }
        var layer = byName[orgLayerPrefix + org.kind];
        if (layer && !layer.on) setOn(layer, true);
        var at = toLatLng(org.lon, org.lat);
        map.flyTo(at, Math.max(map.getZoom(), 17), { duration: 0.8 });
        var props = {
          name: org.name,
          kind: org.kind,
          kind_label: org.kind_label,
          address: org.address,
          url: cfg.api.organizationUrl.replace("{id}", String(org.id)),
        };
        map.once("moveend", function () {
          L.popup({ offset: [0, -4] }).setLatLng(at).setContent(popupContent(props)).openOn(map);
        });
      }

      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var q = input.value.trim();
        results.replaceChildren();
        if (!q) return;
        if (controller) controller.abort();
        controller = new AbortController();
        results.appendChild(el("li", "cg-search-empty", S.loading));
        fetch(cfg.api.organizations + "?limit=8&q=" + encodeURIComponent(q), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          signal: controller.signal,
        })
          .then(function (response) {
            if (!response.ok) throw new Error("HTTP " + response.status);
            return response.json();
          })
          .then(function (page) {
            results.replaceChildren();
            if (!page.items.length) {
              results.appendChild(el("li", "cg-search-empty", S.noResults));
              return;
            }
            page.items.forEach(function (org) {
              var li = el("li");
              var pick = el("button", "cg-search-hit");
              pick.type = "button";
              pick.appendChild(el("span", "cg-search-name", org.name));
              pick.appendChild(el("span", "cg-search-kind", org.kind_label));
              pick.addEventListener("click", function () {
                show(org);
              });
              li.appendChild(pick);
              results.appendChild(li);
            });
          })
          .catch(function (err) {
            if (err && err.name === "AbortError") return;
            results.replaceChildren(el("li", "cg-search-empty", S.loadFailed));
          });
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Escape") {
          input.value = "";
          results.replaceChildren();
        }
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    },
  });

  new SearchBox().addTo(map);
  L.control.zoom({ position: "topleft", zoomInTitle: S.zoomIn, zoomOutTitle: S.zoomOut }).addTo(map);
  L.control.scale({ position: "bottomleft", imperial: false }).addTo(map);
  var panel = new LayerPanel().addTo(map);

  // --- size: the map fills the window below the top bar ----------------------------------------------

  function fitPanel() {
    panel.panel.style.maxHeight = Math.max(160, mapEl.clientHeight - 90) + "px";
  }

  function fitHeight() {
    sizeMapEl();
    map.invalidateSize();
    fitPanel();
  }

  window.addEventListener("resize", fitHeight);
  PHONE.addEventListener("change", fitPanel);
  fitHeight();

  map.on("moveend", refreshSoon);
  states.forEach(function (state) {
    setOn(state, state.def.visible === true);
  });
  status.ready = true;
})();

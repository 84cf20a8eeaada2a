/* Rujuk web maps: data layers built in the browser from GeoJSON (inline or from the API).
 * Every text that comes from data is set with textContent, never parsed as HTML.
 * Called by webmap/maps.py as RujukMap.<kind>(map, group, config). */
(function (global) {
  "use strict";
  var registry = {};
  var pending = {};

  function register(map, group, cfg) { registry[cfg.name] = cfg.data; }

  function load(spec) {
    if (spec.ref !== undefined) { return Promise.resolve(registry[spec.ref]); }
    if (!pending[spec.url]) {
      pending[spec.url] = fetch(spec.url, {credentials: "same-origin"}).then(function (response) {
        if (!response.ok) { throw new Error(spec.url + " answered " + response.status); }
        return response.json();
      });
    }
    return pending[spec.url];
  }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function escapeHtml(text) { var div = document.createElement("div"); div.textContent = text; return div.innerHTML; }

  function has(object, key) { return object !== null && Object.prototype.hasOwnProperty.call(object, key); }

  function number(value, lang, digits) {
    if (value === null || value === undefined || value === "" || isNaN(Number(value))) { return null; }
    return Number(value).toLocaleString(lang === "id" ? "id-ID" : "en-GB", {maximumFractionDigits: digits});
  }

  function popup(title, rows, note) {
    var box = el("div", null, "rujuk-popup");
    box.appendChild(el("strong", title));
    var table = el("table");
    rows.forEach(function (row) {
      if (row[1] === null || row[1] === undefined || row[1] === "") { return; }
      var tr = el("tr");
      tr.appendChild(el("th", row[0]));
      tr.appendChild(el("td", row[1]));
      table.appendChild(tr);
    });
    box.appendChild(table);
    if (note) { box.appendChild(el("p", note, "rujuk-note")); }
    return box;
  }

  function notice(map, text) {
    var control = L.control({position: "topright"});
    control.onAdd = function () { return el("div", text, "rujuk-notice leaflet-bar"); };
    control.addTo(map);
  }

  /* Layers being built; the page is "ready" once those shown at load time are drawn. */
  var building = [];

  /* Run build() the first time the group is shown (lazy layers fetch nothing until then). */
  function whenShown(map, group, cfg, build) {
    var done = false;
    function run() {
      if (done) { return; }
      done = true;
      building.push(Promise.resolve().then(build).catch(function (error) {
        console.warn(error);
        notice(map, cfg.strings.not_available + ": " + cfg.title);
      }));
    }
    if (map.hasLayer(group)) { run(); } else { group.once("add", run); }
  }

  /* Mark <html data-rujuk-ready="N"> (N layers drawn) and fire "rujuk:ready": what the browser tests
     and bench/bench_pages.py wait for. Later layers (shown by the user) add to `building` again. */
  function markReady() {
    var shown = building.length;
    Promise.all(building).then(function () {
      document.documentElement.setAttribute("data-rujuk-ready", String(shown));
      document.dispatchEvent(new CustomEvent("rujuk:ready", {detail: {layers: shown}}));
    });
  }
  if (document.readyState === "complete") { markReady(); } else { window.addEventListener("load", markReady); }

  function withGeometry(data, areas) {
    var missing = data.features.some(function (f) { return !f.geometry; });
    if (!missing || !areas) { return Promise.resolve(data); }
    return load(areas).then(function (shapes) {
      var byCode = {};
      shapes.features.forEach(function (f) { byCode[f.properties.code] = f.geometry; });
      data.features.forEach(function (f) { if (!f.geometry) { f.geometry = byCode[f.properties.code] || null; } });
      data.features = data.features.filter(function (f) { return f.geometry; });
      return data;
    });
  }

  function outlines(map, group, cfg) {
    whenShown(map, group, cfg, function () {
      return load(cfg.source).then(function (data) {
        L.geoJSON(data, {style: cfg.style, interactive: false}).addTo(group);
      });
    });
  }

  /* The area fills (case figures, hot spots, travel times, why the gap) are shown one at a time: showing one hides
     the others, so that two fills never mix their colours (the layer control unticks the hidden one). */
  var fills = [];
  function exclusive(map, group) {
    fills.push(group);
    group.on("add", function () {
      // after the layer control's click is handled, so that it unticks the other fill (it redraws on removal)
      window.setTimeout(function () {
        fills.forEach(function (other) { if (other !== group && map.hasLayer(other)) { map.removeLayer(other); } });
      }, 0);
    });
  }

  function choropleth(map, group, cfg) {
    var s = cfg.strings;
    exclusive(map, group);
    whenShown(map, group, cfg, function () {
      return load(cfg.source).then(function (data) {
        L.geoJSON(data, {
          style: function (f) {
            if (!has(cfg.figures, f.properties.code)) {  // an area without a figure: its own class, never a rate of 0
              return {color: "#888", weight: 0.5, fillColor: cfg.no_figure_colour, fillOpacity: 0.6};
            }
            var row = cfg.figures[f.properties.code];
            return {color: "#444", weight: 1, fillColor: row.colour, fillOpacity: 0.75, dashArray: row.suppressed ? "4 3" : null};
          },
          onEachFeature: function (f, layer) {
            var row = has(cfg.figures, f.properties.code) ? cfg.figures[f.properties.code] : null;
            layer.bindPopup(function () {
              if (!row) { return popup(f.properties.name, [[s.value, s.no_figure], [s.measure, cfg.measure]], cfg.no_figure_note); }
              return popup(row.name, [[s.value, row.value], [s.rate, number(row.rate, cfg.lang, 2)],
                [s.measure, cfg.measure], [s.source, row.source], [s.period, row.period]],
                row.suppressed ? (row.suppressed_reason === "complementary" ? cfg.withheld_note : cfg.suppressed_note) : null);
            });
          }
        }).addTo(group);
      });
    });
  }

  /* Add a line of text to the legend section `id` (once): e.g. that no area is a significant hot or cold spot. */
  function legendNote(id, text) {
    document.querySelectorAll(".rujuk-legend [data-section]").forEach(function (section) {
      if (section.getAttribute("data-section") !== id || section.querySelector(".rujuk-legend-note")) { return; }
      section.appendChild(el("div", text, "rujuk-legend-note"));
    });
  }

  function hotspots(map, group, cfg) {
    var s = cfg.strings;
    exclusive(map, group);
    whenShown(map, group, cfg, function () {
      return load(cfg.source).then(function (data) { return withGeometry(data, cfg.areas); }).then(function (data) {
        var significant = data.features.some(function (f) { return f.properties.hotspot_class !== "not significant"; });
        if (!significant) { legendNote(cfg.legend_section, cfg.nothing_significant); }
        L.geoJSON(data, {
          style: function (f) {
            var cls = f.properties.hotspot_class;
            return {color: cfg.colours[cls] || "#999", weight: cls === "not significant" ? 1 : 3,
                    fillColor: cfg.colours[cls] || "#999", fillOpacity: cls === "not significant" ? 0.1 : 0.55};
          },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            layer.bindPopup(function () {
              return popup(p.name, [[s["class"], cfg.classes[p.hotspot_class] || p.hotspot_class],
                [s.value, p.value], [s.rate, number(p.rate_per_100k, cfg.lang, 2)],
                [s.gi_z, number(p.gi_z, cfg.lang, 2)], [s.gi_p, number(p.gi_p, cfg.lang, 3)],
                [s.measure, p.measure], [s.source, p.source]]);
            });
          }
        }).addTo(group);
      });
    });
  }

  function hours(value, cfg) {
    var text = number(value, cfg.lang, 1);
    return text === null ? null : cfg.strings.hours.replace("{hours}", text);
  }

  function coverage(map, group, cfg) {
    var s = cfg.strings;
    exclusive(map, group);
    whenShown(map, group, cfg, function () {
      return load(cfg.source).then(function (data) { return withGeometry(data, cfg.areas); }).then(function (data) {
        L.geoJSON(data, {
          filter: function (f) { return !cfg.capability || f.properties.capability === cfg.capability; },
          style: function (f) {
            var p = f.properties;
            var gap = p.gap_share_permitted === null ? p.median_h_permitted === null : p.gap_share_permitted > 0;
            return {fillColor: cfg.colours[p.time_class_permitted] || "#999", fillOpacity: 0.6,
                    color: gap ? cfg.gap_colour : "#666", weight: gap ? 2.5 : 0.5};
          },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            layer.bindPopup(function () {
              var share = number(p.gap_share_permitted === null ? null : 100 * p.gap_share_permitted, cfg.lang, 0);
              var people = number(p.gap_population_share_permitted === null || p.gap_population_share_permitted === undefined
                ? null : 100 * p.gap_population_share_permitted, cfg.lang, 0);
              return popup(p.name, [[s.capability, cfg.capability_label],
                [s.median_time, cfg.classes[p.time_class_permitted] || p.time_class_permitted],
                ["", hours(p.median_h_permitted, cfg)], [s.worst_time, hours(p.worst_h_permitted, cfg)],
                [s.standard, hours(p.standard_h, cfg)], [s.gap_share, share === null ? null : share + " %"],
                [s.gap_population, people === null ? null : people + " %"]]);
            });
          }
        }).addTo(group);
      });
    });
  }

  /* Why a regency has a gap (webmap/why_gap.py, area_gap_kind): within the standard; no verified entry when a
     district beyond the standard has no confirmed office in its province; else too far. */
  function gapKind(p) {
    if (!(p.gap_districts_permitted > 0)) { return "within_standard"; }
    return p.no_entry_districts_permitted > 0 ? "no_verified_entry" : "too_far";
  }

  function confirmedOfAll(row, lang) {
    if (!row || row.directory_rows === null || row.directory_rows === undefined) { return null; }
    return number(row.directory_confirmed, lang, 0) + " / " + number(row.directory_rows, lang, 0);
  }

  function gapKinds(map, group, cfg) {
    var s = cfg.strings;
    exclusive(map, group);
    whenShown(map, group, cfg, function () {
      var regencies = load(cfg.source).then(function (data) { return withGeometry(data, cfg.areas); });
      return Promise.all([regencies, load(cfg.provinces)]).then(function (both) {
        var provinces = {};
        both[1].features.forEach(function (f) {
          if (f.properties.capability === cfg.capability) { provinces[f.properties.code] = f.properties; }
        });
        L.geoJSON(both[0], {
          filter: function (f) { return f.properties.capability === cfg.capability; },
          style: function (f) {
            var kind = gapKind(f.properties);
            return {fillColor: cfg.colours[kind] || "#999", fillOpacity: 0.7, color: "#666", weight: 0.5};
          },
          onEachFeature: function (f, layer) {
            var p = f.properties, kind = gapKind(p);
            var code = String(p.code), province = provinces[code.split(".")[0]] || null;
            layer.bindPopup(function () {
              var n = number(p.gap_districts_permitted, cfg.lang, 0), total = number(p.districts, cfg.lang, 0);
              var gaps = n === null || total === null ? null : s.count_of.replace("{n}", n).replace("{total}", total);
              var noEntry = kind === "within_standard" ? null : number(p.no_entry_districts_permitted, cfg.lang, 0);
              return popup(p.name, [[s.capability, cfg.capability_label], [s.gap_kind, cfg.classes[kind]],
                [s.standard, hours(p.standard_h, cfg)], [s.gap_districts, gaps], [s.no_entry_districts, noEntry],
                [s.directory_here, confirmedOfAll(p, cfg.lang)],
                [s.directory_province, confirmedOfAll(province, cfg.lang)],
                [s.oldest_verified, province ? province.directory_oldest_verified_on : null]],
                has(cfg.notes, kind) ? cfg.notes[kind] : null);
            });
          }
        }).addTo(group);
      });
    });
  }

  function agencyPopup(p, cfg) {
    var s = cfg.strings, labels = cfg.labels;
    var services = (p.capabilities || []).map(function (c) { return labels.capability[c] || c; }).join(", ");
    return popup(p.name, [[s.organization, p.organization_name], [s.agency_type, labels.agency_type[p.agency_type] || p.agency_type],
      [s.services, services], [s.phone, p.phone], [s.email, p.email], [s.website, p.website], [s.address, p.address],
      [s.location_precision, labels.location_precision[p.location_precision] || p.location_precision]],
      p.redacted ? s.confidential_note : null);
  }

  function filterControl(map, group, cfg, state, apply) {
    var control = L.control({position: "topright"});
    control.onAdd = function () {
      var box = el("div", null, "rujuk-filter leaflet-bar");
      [["capability", cfg.strings.filter_capability], ["agency_type", cfg.strings.filter_type]].forEach(function (pair) {
        var label = el("label", pair[1] + " ");
        var select = el("select");
        select.appendChild(el("option", cfg.strings.all)).value = "";
        Object.keys(cfg.labels[pair[0]]).forEach(function (code) {
          var option = el("option", cfg.labels[pair[0]][code]);
          option.value = code;
          option.selected = state[pair[0]] === code;
          select.appendChild(option);
        });
        select.addEventListener("change", function () { state[pair[0]] = select.value || null; apply(); });
        label.appendChild(select);
        box.appendChild(label);
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    if (map.hasLayer(group)) { control.addTo(map); }
    group.on("add", function () { control.addTo(map); });
    group.on("remove", function () { control.remove(); });
  }

  function agencies(map, group, cfg) {
    var state = {capability: cfg.capability || null, agency_type: null};
    var cluster = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 40});
    group.addLayer(cluster);
    whenShown(map, group, cfg, function () {
      return load(cfg.source).then(function (data) {
        // a hotline, or a mission abroad without a point, has no geometry: it is in the directory, not on the map
        var markers = data.features.filter(function (f) { return f.geometry; }).map(function (f) {
          var c = f.geometry.coordinates, p = f.properties;
          var marker = p.redacted
            ? L.circleMarker([c[1], c[0]], {radius: 8, color: "#6a3d9a", dashArray: "3 3", fillOpacity: 0.3})
            : L.marker([c[1], c[0]], {title: p.name, alt: p.name});
          marker.bindPopup(function () { return agencyPopup(p, cfg); });
          marker.properties = p;
          return marker;
        });
        function apply() {
          cluster.clearLayers();
          cluster.addLayers(markers.filter(function (m) {
            var p = m.properties;
            return (!state.capability || (p.capabilities || []).indexOf(state.capability) >= 0) &&
                   (!state.agency_type || p.agency_type === state.agency_type);
          }));
        }
        filterControl(map, group, cfg, state, apply);
        apply();
      });
    });
  }

  function referral(map, group, cfg) {
    var s = cfg.strings, bounds = [];
    var origin = [cfg.origin.lat, cfg.origin.lon];
    bounds.push(origin);
    L.circleMarker(origin, {radius: 9, color: "#b2182b", fillColor: "#ef8a62", fillOpacity: 0.9})
      .bindPopup(function () { return popup(s.origin, [[s.name, cfg.origin.label]]); }).addTo(group);
    cfg.candidates.forEach(function (c) {
      c.segments.forEach(function (segment) {  // one per leg, styled by its mode; an estimated leg lighter
        var style = L.extend({}, cfg.styles[segment.kind] || cfg.styles.route,
          {opacity: segment.estimated ? cfg.estimated_opacity : cfg.opacity});
        var line = L.polyline(segment.coordinates, style).addTo(group);
        if (segment.text) { line.bindPopup(function () { return popup(c.name, [[s.legs, segment.text]]); }); }
        segment.coordinates.forEach(function (point) { bounds.push(point); });  // the map zooms to the routes
      });
      if (c.lat === null || c.lon === null) { return; }
      bounds.push([c.lat, c.lon]);
      var icon = L.divIcon({className: "rujuk-rank", html: String(Number(c.rank)), iconSize: [24, 24]});
      L.marker([c.lat, c.lon], {icon: icon, title: c.name}).bindPopup(function () {
        return popup(String(Number(c.rank)) + ". " + c.name, [[s.organization, c.organization],
          [s.needs_matched, c.needs], [s.travel_time, hours(c.travel_time_h, cfg)],
          [s.distance, c.distance_km === null ? null : number(c.distance_km, cfg.lang, 0) + " km"],
          [s.legs, c.legs], [s.jurisdiction, c.jurisdiction], [s.model, c.model],
          [s.phone, c.phone], [s.email, c.email], [s.website, c.website], [s.address, c.address],
          [s.location_precision, c.location_precision]], c.coordination_needed ? s.coordination_needed : null);
      }).addTo(group);
    });
    if (bounds.length > 1) { map.fitBounds(bounds, {padding: [30, 30]}); } else { map.setView(origin, 9); }
  }

  /* One layer of an office plan (webmap/plan.py): areas (newly covered or still uncovered) or the offices,
     existing ones as dots and new ones numbered in order of added value. */
  function plan(map, group, cfg) {
    var s = cfg.strings, bounds = [];
    if (cfg.areas) {
      L.geoJSON(cfg.areas, {style: cfg.style, onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.bindPopup(function () {
          return popup(p.name, [[s.area, p.code], [s.plan_hours_before, hours(p.hours_before, cfg)],
            [s.plan_hours_after, hours(p.hours_after, cfg)], [s.population, number(p.population, cfg.lang, 0)],
            [s.plan_cases, p.cases === null || p.cases === undefined ? null : String(p.cases)]]);
        });
      }}).addTo(group);
    }
    (cfg.sites || []).forEach(function (site) {
      var at = [site.lat, site.lon], marker;
      bounds.push(at);
      if (site.rank) {
        var icon = L.divIcon({className: "rujuk-rank rujuk-plan-new", html: String(Number(site.rank)), iconSize: [24, 24]});
        marker = L.marker(at, {icon: icon, title: site.name, zIndexOffset: 1000});
      } else {
        marker = L.circleMarker(at, {radius: 7, color: cfg.colours[0], fillColor: cfg.colours[0], fillOpacity: 0.8,
          dashArray: site.redacted ? "3 3" : null});
      }
      marker.bindPopup(function () {
        var title = site.rank ? String(Number(site.rank)) + ". " + site.name : site.name;
        return popup(title, [[s.plan_role, site.rank ? s.legend_plan_new : s.legend_plan_existing],
          [s.plan_added_value, number(site.added_value, cfg.lang, 0)],
          [s.plan_added_covered, number(site.added_covered, cfg.lang, 0)]], site.redacted ? s.confidential_note : null);
      }).addTo(group);
    });
    if (cfg.fit && bounds.length > 1) { map.fitBounds(bounds, {padding: [30, 30]}); }
  }

  function legend(map, group, cfg) {
    var control = L.control({position: "bottomright"});
    control.onAdd = function () {
      var box = el("div", null, "rujuk-legend leaflet-bar");
      box.appendChild(el("strong", cfg.title));
      cfg.sections.forEach(function (section) {
        var part = el("div", null, "rujuk-legend-section");
        if (section.id) { part.setAttribute("data-section", section.id); }
        part.appendChild(el("div", section.title, "rujuk-legend-title"));
        section.items.forEach(function (item) {
          if (item.style === "note") { part.appendChild(el("div", item.label, "rujuk-legend-note")); return; }
          var row = el("div", null, "rujuk-legend-row");
          var swatch = el("span", null, "rujuk-swatch rujuk-swatch-" + item.style);
          swatch.style.setProperty(item.style === "fill" ? "background-color" : "border-color", item.colour);
          if (item.opacity !== undefined) { swatch.style.opacity = String(item.opacity); }
          row.appendChild(swatch);
          row.appendChild(el("span", item.label));
          part.appendChild(row);
        });
        box.appendChild(part);
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
  }

  /* Zoom buttons, a metric scale and Leaflet's own labels in the page language. */
  function controls(map, group, cfg) {
    var s = cfg.strings;
    L.control.zoom({zoomInTitle: s.zoom_in, zoomOutTitle: s.zoom_out}).addTo(map);
    L.control.scale({imperial: false}).addTo(map);
    map.on("popupopen", function (event) {
      var button = event.popup.getElement() && event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (button) { button.setAttribute("aria-label", s.close_popup); button.title = s.close_popup; }
    });
    function relabel() {  // the layer control is added after this call
      map.getContainer().querySelectorAll(".leaflet-control-layers-toggle").forEach(function (link) {
        link.title = s.layers;
        link.setAttribute("aria-label", s.layers);
      });
    }
    if (document.readyState === "complete") { window.setTimeout(relabel, 0); } else { window.addEventListener("load", relabel); }
  }

  function attribution(map, group, cfg) {
    cfg.texts.forEach(function (text) { map.attributionControl.addAttribution(escapeHtml(text)); });
  }

  global.RujukMap = {register: register, outlines: outlines, choropleth: choropleth, hotspots: hotspots,
    coverage: coverage, gap_kinds: gapKinds, agencies: agencies, referral: referral, plan: plan,
    legend: legend, controls: controls,
    attribution: attribution};
})(window);

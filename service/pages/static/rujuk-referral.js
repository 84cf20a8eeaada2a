/* Referral form: pick the place by clicking a Leaflet map (fills LAT,LON) and suggest places while typing.
   Every text is set with textContent or .value: nothing from data is parsed as HTML. */
(function () {
  "use strict";
  var input = document.getElementById("at");
  var box = document.getElementById("pick-map");
  var list = document.getElementById("places");
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  if (!input) { return; }

  if (box && window.L) {
    var map = L.map(box).setView([-2.5, 118], 4);
    var tiles = box.dataset.tiles;
    var outlined = false;
    // The province boundaries: drawn when there is no base map, or when the tile server does not answer
    // (an error, or no tile within a few seconds), so that the place can still be found and clicked.
    var outline = function () {
      if (outlined) { return; }
      outlined = true;
      fetch(box.dataset.outlines).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (data) { L.geoJSON(data, { style: { color: "#333", weight: 1, fill: false } }).addTo(map); }
      });
    };
    if (tiles && tiles.toLowerCase() !== "none") {
      var base = L.tileLayer(tiles, { attribution: box.dataset.attribution || "", maxZoom: 18 }).addTo(map);
      var loaded = false;
      base.on("tileload", function () { loaded = true; });
      base.on("tileerror", outline);
      window.setTimeout(function () { if (!loaded) { outline(); } }, 4000);
    } else {
      outline();
    }
    var marker = null;
    var point = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(input.value);
    if (point) {
      marker = L.marker([+point[1], +point[2]]).addTo(map);
      map.setView([+point[1], +point[2]], 8);
    }
    map.on("click", function (event) {
      var lat = event.latlng.lat.toFixed(5), lon = event.latlng.lng.toFixed(5);
      input.value = lat + "," + lon;
      if (marker) { marker.setLatLng(event.latlng); } else { marker = L.marker(event.latlng).addTo(map); }
    });
  }

  if (!list || !box) { return; }
  var timer = null;
  input.addEventListener("input", function () {
    var query = input.value.trim();
    window.clearTimeout(timer);
    if (query.length < 3 || /^[-\d.,\s]+$/.test(query)) { return; }
    timer = window.setTimeout(function () {
      var url = box.dataset.places + "?" + new URLSearchParams({ q: query, limit: "10" }).toString();
      fetch(url).then(function (r) { return r.ok ? r.json() : []; }).then(function (places) {
        list.replaceChildren();
        (places || []).forEach(function (place) {
          var option = document.createElement("option");
          option.value = place.code;
          option.label = place.name + " (" + place.context + ")";
          option.textContent = option.label;
          list.appendChild(option);
        });
      }).catch(function () { /* suggestions are optional */ });
    }, 250);
  });
}());

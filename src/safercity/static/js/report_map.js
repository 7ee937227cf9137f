/* The report form's map: London's boroughs drawn from bundled GeoJSON (no tiles, nothing from
   the internet) and one pin that fills the hidden latitude and longitude inputs.
   Mouse or touch: click or tap. Keyboard: arrows move the map, + and - zoom, Enter (or the
   "Use the map centre" button) puts the pin under the centre cross. */
(function () {
  "use strict";
  var element = document.getElementById("f-location-latitude");
  if (!element || !window.L) { return; }
  var latitude = document.getElementById("location-latitude");
  var longitude = document.getElementById("location-longitude");
  var status = document.getElementById("map-status");
  var actions = document.querySelector(".map-actions");
  var LONDON = [51.49, -0.12];
  var features = [];
  var marker = null;

  element.classList.add("report-map--active");
  var map = L.map(element, {
    preferCanvas: true,
    center: LONDON,
    zoom: 10,
    minZoom: 9,
    maxZoom: 18,
    zoomSnap: 0.5,
    keyboard: true,
    attributionControl: true
  });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Boroughs: ONS / London Datastore (OGL)");

  // Ray casting over a ring of [lng, lat] pairs.
  function inRing(point, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > point[1]) !== (yj > point[1]) &&
          point[0] < (xj - xi) * (point[1] - yi) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
    return inside;
  }

  function inPolygon(point, rings) {
    if (!inRing(point, rings[0])) { return false; }
    for (var k = 1; k < rings.length; k++) {
      if (inRing(point, rings[k])) { return false; }
    }
    return true;
  }

  function boroughAt(latlng) {
    var point = [latlng.lng, latlng.lat];
    for (var i = 0; i < features.length; i++) {
      var geometry = features[i].geometry;
      var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
      for (var p = 0; p < polygons.length; p++) {
        if (inPolygon(point, polygons[p])) { return features[i].properties.name; }
      }
    }
    return null;
  }

  function describe(latlng) {
    var where = latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5);
    if (!features.length) { return "Pin placed at " + where + "."; }
    var borough = boroughAt(latlng);
    return borough ? "Pin placed in " + borough + " (" + where + ")."
                   : "The pin is outside London (" + where + "). Move it to where it happened.";
  }

  function placePin(latlng, quiet) {
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.marker(latlng, { draggable: true, keyboard: true, title: "Where it happened",
                                  alt: "Pin where it happened" }).addTo(map);
      marker.on("dragend", function () { placePin(marker.getLatLng()); });
    }
    latitude.value = latlng.lat.toFixed(6);
    longitude.value = latlng.lng.toFixed(6);
    if (!quiet) { status.textContent = describe(latlng); }
  }

  function clearPin() {
    if (marker) { map.removeLayer(marker); marker = null; }
    latitude.value = "";
    longitude.value = "";
    status.textContent = "No pin on the map.";
  }

  map.on("click", function (event) { placePin(event.latlng); });
  element.addEventListener("keydown", function (event) {
    if (event.target === element && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      placePin(map.getCenter());
    }
  });
  document.getElementById("map-use-centre").addEventListener("click", function () {
    placePin(map.getCenter());
  });
  document.getElementById("map-clear").addEventListener("click", clearPin);
  actions.hidden = false;

  // A pin given before (the form came back with a problem elsewhere) is shown again.
  var givenLat = parseFloat(latitude.value), givenLng = parseFloat(longitude.value);
  if (isFinite(givenLat) && isFinite(givenLng)) {
    placePin(L.latLng(givenLat, givenLng), true);
    map.setView([givenLat, givenLng], 14);
  }

  fetch(element.dataset.boundaries, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("boundaries " + response.status); }
      return response.json();
    })
    .then(function (geojson) {
      features = geojson.features;
      var layer = L.geoJSON(geojson, {
        style: { color: "#1d3a8a", weight: 1, fillColor: "#c8d4ee", fillOpacity: 0.45 },
        bubblingMouseEvents: true
      }).addTo(map);
      // Without animation: the canvas is redrawn once, for the final view.
      if (!marker) { map.fitBounds(layer.getBounds(), { animate: false }); }
      map.setMaxBounds(layer.getBounds().pad(0.3));
      element.dataset.ready = "true";
    })
    .catch(function () {
      status.textContent = "The map could not be drawn. Describe the place in the box above.";
    });
}());

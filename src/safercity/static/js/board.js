/* The 999 control room: the offline map (bundled borough outlines, no tiles), incidents and
   units in their status colours, the caller's pin for the intake form, live updates by
   server-sent events, and keyboard shortcuts.
   Keys: n new call, j/k next/previous incident, a accept the recommendation, Esc the queue. */
(function () {
  "use strict";
  var dataElement = document.getElementById("board-data");
  var mapElement = document.getElementById("board-map");
  if (!dataElement || !mapElement || !window.L) { return; }

  var state = JSON.parse(dataElement.textContent);
  var queue = document.getElementById("queue");
  var queueCount = document.getElementById("queue-count");
  var panel = document.getElementById("incident-panel");
  var live = document.getElementById("live-status");
  var latInput = document.getElementById("f-lat");
  var lonInput = document.getElementById("f-lon");
  var numberInput = document.getElementById("f-callback-number");
  var offered = document.getElementById("offered");
  var mergeInto = document.getElementById("f-merge-into");
  var intakeForm = document.getElementById("intake-form");
  var selected = panel ? panel.dataset.selected : "";
  var panelDirty = false;

  var map = L.map(mapElement, {
    preferCanvas: true, center: [51.49, -0.12], zoom: 10, minZoom: 9, maxZoom: 18,
    zoomSnap: 0.5, keyboard: true
  });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Boroughs: ONS / London Datastore (OGL)");
  var unitLayer = L.layerGroup().addTo(map);
  var incidentLayer = L.layerGroup().addTo(map);
  var pin = null;

  function text(tag, className, content) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    if (content !== undefined) { element.textContent = content; }
    return element;
  }

  function drawUnits(units) {
    unitLayer.clearLayers();
    units.forEach(function (u) {
      L.circleMarker([u.lat, u.lon], {
        radius: u.status === "available" ? 3 : 6, color: u.colour, fillColor: u.colour,
        fillOpacity: 0.9, weight: 1
      }).bindTooltip(u.call_sign + " · " + u.type + " · " + u.status_label).addTo(unitLayer);
    });
  }

  function drawIncidents(incidents) {
    incidentLayer.clearLayers();
    incidents.forEach(function (i) {
      var isSelected = String(i.id) === selected;
      L.circleMarker([i.lat, i.lon], {
        radius: isSelected ? 11 : 8, color: "#0b0c0c", weight: isSelected ? 4 : 2,
        fillColor: "#ffdd00", fillOpacity: 1
      }).bindTooltip("#" + i.id + " " + i.type + " · " + i.priority)
        .on("click", function () { window.location.href = "/staff/999?incident=" + i.id + "#incident-panel"; })
        .addTo(incidentLayer);
    });
  }

  function unitSummary(incident) {
    if (!incident.units.length) { return "No units sent"; }
    return incident.units.map(function (u) {
      return u.call_sign + " (" + u.status.replace("_", " ") + ")";
    }).join(", ");
  }

  function drawQueue(incidents) {
    queueCount.textContent = String(incidents.length);
    var focusedId = document.activeElement && document.activeElement.closest
      ? (document.activeElement.closest("[data-incident]") || {}).dataset : null;
    queue.textContent = "";
    if (!incidents.length) { queue.appendChild(text("li", "queue-empty", "No open incidents.")); }
    incidents.forEach(function (i) {
      var item = text("li", "queue-item" + (String(i.id) === selected ? " queue-item--selected" : ""));
      item.dataset.incident = String(i.id);
      var link = text("a", "queue-link");
      link.href = "/staff/999?incident=" + i.id + "#incident-panel";
      if (String(i.id) === selected) { link.setAttribute("aria-current", "true"); }
      link.appendChild(text("span", "queue-id", "#" + i.id));
      link.appendChild(text("span", "queue-type", i.type));
      link.appendChild(text("span", "queue-priority", i.priority));
      link.appendChild(text("span", "queue-where", i.address || i.borough));
      link.appendChild(text("span", "queue-units", unitSummary(i)));
      if (i.duplicate_of.length) {
        link.appendChild(text("span", "queue-duplicate",
          "Likely duplicate of #" + i.duplicate_of.join(", #")));
      }
      item.appendChild(link);
      queue.appendChild(item);
      if (focusedId && focusedId.incident === String(i.id)) { link.focus(); }
    });
  }

  function updateUnitStatuses(units) {
    var byCallSign = {};
    units.forEach(function (u) { byCallSign[u.call_sign] = u; });
    document.querySelectorAll("[data-unit-status]").forEach(function (cell) {
      var unit = byCallSign[cell.dataset.unitStatus];
      if (unit && String(unit.incident_id) === selected) { cell.textContent = unit.status_label; }
    });
  }

  function refreshPanel() {
    if (!selected || panelDirty || panel.contains(document.activeElement)) { return; }
    fetch("/staff/999/incidents/" + selected + "/panel", { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null && !panelDirty && !panel.contains(document.activeElement)) {
          panel.innerHTML = html;
        }
      })
      .catch(function () { /* the next update tries again */ });
  }

  function render(data, fromServer) {
    state = data;
    drawUnits(data.units);
    drawIncidents(data.incidents);
    drawQueue(data.incidents);
    updateUnitStatuses(data.units);
    if (fromServer) { refreshPanel(); }
  }

  // The caller's pin: a click on the map fills the intake form's coordinates.
  function placePin(latlng) {
    if (!latInput) { return; }
    if (pin) { pin.setLatLng(latlng); } else {
      pin = L.marker(latlng, { draggable: true, keyboard: true, title: "Caller's location",
                               alt: "Caller's location" }).addTo(map);
      pin.on("dragend", function () { placePin(pin.getLatLng()); });
    }
    latInput.value = latlng.lat.toFixed(6);
    lonInput.value = latlng.lng.toFixed(6);
    checkDuplicates();
  }

  map.on("click", function (event) { placePin(event.latlng); });
  mapElement.addEventListener("keydown", function (event) {
    if (event.target === mapElement && event.key === "Enter") {
      event.preventDefault();
      placePin(map.getCenter());
    }
  });

  // While a call is taken, open incidents it may duplicate are offered to join.
  var duplicateTimer = null;
  function checkDuplicates() {
    if (!offered || !latInput) { return; }
    window.clearTimeout(duplicateTimer);
    duplicateTimer = window.setTimeout(function () {
      var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
      if (!isFinite(lat) || !isFinite(lon)) { return; }
      var query = "lat=" + lat + "&lon=" + lon + "&callback_number=" +
        encodeURIComponent(numberInput ? numberInput.value : "");
      fetch("/staff/999/likely-duplicates?" + query, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { offered.innerHTML = html; })
        .catch(function () { offered.textContent = ""; });
    }, 250);
  }
  [latInput, lonInput, numberInput].forEach(function (input) {
    if (input) { input.addEventListener("change", checkDuplicates); }
  });
  if (offered) {
    offered.addEventListener("click", function (event) {
      var button = event.target.closest(".join-incident");
      if (!button) { return; }
      mergeInto.value = button.dataset.incident;
      intakeForm.requestSubmit();
    });
  }

  if (panel) {
    panel.addEventListener("change", function () { panelDirty = true; });
    panel.addEventListener("input", function () { panelDirty = true; });
  }

  // Keyboard shortcuts, except while typing.
  function typing(target) {
    return target && (target.isContentEditable ||
      /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  function moveInQueue(step) {
    var links = Array.prototype.slice.call(queue.querySelectorAll(".queue-link"));
    if (!links.length) { return; }
    var index = links.indexOf(document.activeElement);
    if (index < 0) { index = links.findIndex(function (l) { return l.hasAttribute("aria-current"); }); }
    var next = links[Math.max(0, Math.min(links.length - 1, index + step))] || links[0];
    next.focus();
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape") { moveInQueue(0); return; }
    if (typing(event.target)) { return; }
    if (event.key === "n" && intakeForm) {
      event.preventDefault();
      document.getElementById("intake-details").open = true;
      document.getElementById("f-caller-name").focus();
    } else if (event.key === "j") {
      event.preventDefault(); moveInQueue(1);
    } else if (event.key === "k") {
      event.preventDefault(); moveInQueue(-1);
    } else if (event.key === "a") {
      var accept = document.getElementById("accept");
      if (accept) { event.preventDefault(); accept.click(); }
    }
  });

  // A pin given before (the form came back with a problem) is shown again.
  if (latInput && isFinite(parseFloat(latInput.value)) && isFinite(parseFloat(lonInput.value))) {
    placePin(L.latLng(parseFloat(latInput.value), parseFloat(lonInput.value)));
  }

  fetch(mapElement.dataset.boundaries, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (geojson) {
      var layer = L.geoJSON(geojson, {
        style: { color: "#1d3a8a", weight: 1, fillColor: "#c8d4ee", fillOpacity: 0.35 },
        bubblingMouseEvents: true
      }).addTo(map);
      layer.bringToBack();
      var focus = state.incidents.filter(function (i) { return String(i.id) === selected; })[0];
      if (focus) { map.setView([focus.lat, focus.lon], 14, { animate: false }); }
      else { map.fitBounds(layer.getBounds(), { animate: false }); }
      mapElement.dataset.ready = "true";
    })
    .catch(function () { mapElement.dataset.ready = "false"; });

  render(state, false);

  // Live updates: the server sends the whole picture whenever it changes.
  if (window.EventSource) {
    var source = new EventSource("/staff/999/events");
    source.addEventListener("open", function () {
      live.textContent = "Live: the board updates by itself.";
      live.dataset.live = "true";
    });
    source.addEventListener("board", function (event) { render(JSON.parse(event.data), true); });
    source.addEventListener("error", function () {
      live.textContent = "Live updates interrupted: reconnecting…";
      live.dataset.live = "false";
    });
  } else {
    live.textContent = "This browser cannot receive live updates: reload to refresh.";
  }
}());

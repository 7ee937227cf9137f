/* The analyst's view: the forecast map (bundled borough outlines, no tiles) and PNG downloads
   of the map, the charts and the tables, all drawn in the browser. */
(function () {
  "use strict";
  var element = document.getElementById("forecast-map");
  var status = document.getElementById("forecast-status");
  var COLOURS = { "0.01": "#d4351c", "0.05": "#f47738", "0.10": "#ffdd00" };
  var map = null;

  if (element && window.L) {
    map = L.map(element, { preferCanvas: true, center: [51.49, -0.12], zoom: 10, minZoom: 9,
                           maxZoom: 16, zoomSnap: 0.5, keyboard: true });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Boroughs: ONS / London Datastore (OGL)");
    fetch(element.dataset.boundaries, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        L.geoJSON(geojson, { style: { color: "#505a5f", weight: 1, fillOpacity: 0 },
                             interactive: false }).addTo(map);
      });
    fetch(element.dataset.forecast, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { return r.json().then(function (p) { throw new Error(p.detail || r.statusText); }); }
        return r.json();
      })
      .then(function (forecast) {
        var layer = L.geoJSON(forecast, {
          style: function (f) {
            return { color: COLOURS[f.properties.band], weight: 0.5,
                     fillColor: COLOURS[f.properties.band], fillOpacity: 0.75 };
          },
          onEachFeature: function (f, l) {
            l.bindTooltip("Rank " + f.properties.rank + " (top " +
                          Math.round(parseFloat(f.properties.band) * 100) + "%)");
          }
        }).addTo(map);
        var p = forecast.properties;
        status.textContent = "Forecast for " + p.month + " by the " + p.method.method +
          " method from " + p.events_used + " events: " + forecast.features.length +
          " highlighted cells of " + p.cell_m + " m.";
        element.dataset.cells = String(forecast.features.length);
        if (forecast.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 12 }); }
      })
      .catch(function (error) { status.textContent = "The forecast could not be made: " + error.message; });
  }

  function download(canvas, name) {
    var link = document.createElement("a");
    link.download = name + ".png";
    link.href = canvas.toDataURL("image/png");
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function mapPng(name) {
    var source = element.querySelector("canvas");
    var canvas = document.createElement("canvas");
    canvas.width = element.clientWidth;
    canvas.height = element.clientHeight;
    var context = canvas.getContext("2d");
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    if (source) {
      var box = source.getBoundingClientRect();
      var frame = element.getBoundingClientRect();
      context.drawImage(source, box.left - frame.left, box.top - frame.top, box.width, box.height);
    }
    download(canvas, name);
  }

  function svgPng(figure, name) {
    var svg = figure.querySelector("svg");
    var box = svg.viewBox.baseVal;
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = box.width * 2;
      canvas.height = box.height * 2;
      var context = canvas.getContext("2d");
      context.scale(2, 2);
      context.drawImage(image, 0, 0, box.width, box.height);
      download(canvas, name);
    };
    image.src = "data:image/svg+xml;charset=utf-8," +
      encodeURIComponent(new XMLSerializer().serializeToString(svg));
  }

  function tablePng(table, name) {
    var rows = Array.prototype.map.call(table.querySelectorAll("tr"), function (tr) {
      return Array.prototype.map.call(tr.children, function (cell) { return cell.textContent.trim(); });
    });
    var widths = [];
    rows.forEach(function (row) {
      row.forEach(function (text, i) { widths[i] = Math.max(widths[i] || 0, text.length * 7 + 16); });
    });
    var caption = table.caption ? table.caption.textContent.trim() : "";
    var canvas = document.createElement("canvas");
    canvas.width = Math.max(widths.reduce(function (a, b) { return a + b; }, 0), caption.length * 6);
    canvas.height = 30 + rows.length * 22;
    var context = canvas.getContext("2d");
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.fillStyle = "#0b0c0c";
    context.font = "12px sans-serif";
    context.fillText(caption, 4, 16);
    rows.forEach(function (row, r) {
      var x = 4;
      row.forEach(function (text, i) {
        context.font = (r === 0 ? "bold " : "") + "12px sans-serif";
        context.fillText(text, x, 42 + r * 22);
        x += widths[i];
      });
    });
    download(canvas, name);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-png], [data-png-table]");
    if (!button) { return; }
    var name = button.dataset.name || "figure";
    if (button.dataset.pngTable) {
      tablePng(document.getElementById(button.dataset.pngTable), name);
    } else if (button.dataset.png === "forecast-map") {
      mapPng(name);
    } else {
      svgPng(document.getElementById(button.dataset.png), name);
    }
  });
})();

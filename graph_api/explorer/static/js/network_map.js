// The network on the map: the chosen area's municipalities outlined and the network's meeting places as dots,
// and the member selected as a marker at its location or its municipalities highlighted.

import { municipalityShapes } from "./map.js";
import { asText } from "./ui.js";

const AREA_STYLE = { color: "#0b5cad", weight: 1.2, fillColor: "#0b5cad", fillOpacity: 0.06 };
const PLACE_STYLE = { radius: 4, color: "#ffffff", weight: 1, fillOpacity: 0.9 };
const CHOSEN_STYLE = { color: "#000000", weight: 2, fillColor: "#ffbf47", fillOpacity: 0.45 };
const CLOSE_ZOOM = 11;
const AREAS_PANE = "network-areas";
const AREA_ZOOM = 9;

export function createNetworkMap(map) {
  // Areas lie under the meeting places' dots and the marker (the overlay pane is at 400).
  map.createPane(AREAS_PANE).style.zIndex = 390;
  const all = L.layerGroup();
  const context = L.layerGroup().addTo(all);
  const chosen = L.layerGroup().addTo(all);
  let marker = null;

  async function shapesOf(where) {
    if (!where.municipalities.length && !where.welfareAreas.length) return null;
    const wanted = new Set(where.municipalities);
    const counties = new Set(where.welfareAreas);
    const shapes = await municipalityShapes();
    const features = shapes.features.filter((f) => wanted.has(f.id) || counties.has(f.properties.welfareArea));
    return features.length ? { type: "FeatureCollection", features } : null;
  }

  return {
    show() {
      all.addTo(map);
    },
    hide() {
      all.remove();
    },
    // The root's `where` outlined and `places` ([{ id, name, point, colour }]) as dots that `onSelect(id)`.
    async drawContext(where, places, onSelect, fit) {
      const shapes = await shapesOf(where);
      context.clearLayers();
      const layers = [];
      if (shapes) layers.push(L.geoJSON(shapes, { style: AREA_STYLE, interactive: false, pane: AREAS_PANE }));
      for (const place of places) {
        const dot = L.circleMarker(place.point, { ...PLACE_STYLE, fillColor: place.colour });
        dot.bindTooltip(asText(place.name)).on("click", () => onSelect(place.id));
        layers.push(dot);
      }
      for (const layer of layers) context.addLayer(layer);
      if (fit && layers.length) {
        map.fitBounds(L.featureGroup(layers).getBounds(), { animate: false, padding: [12, 12] });
      }
    },
    // Shows the selected member `where` it is, named `name`; says what it showed: { point, shapes (a count) }.
    async showChosen(where, name, fit) {
      const shapes = await shapesOf(where);
      chosen.clearLayers();
      marker = null;
      if (shapes) {
        const layer = L.geoJSON(shapes, { style: CHOSEN_STYLE, interactive: false, pane: AREAS_PANE }).addTo(chosen);
        if (fit && !where.point) map.fitBounds(layer.getBounds(), { animate: false, maxZoom: AREA_ZOOM });
      }
      if (where.point) {
        marker = L.marker(where.point, { title: name, alt: name, keyboard: false }).addTo(chosen);
        marker.bindTooltip(asText(name), { direction: "top", offset: [0, -36] });
        if (fit) map.setView(where.point, Math.max(map.getZoom(), CLOSE_ZOOM), { animate: false });
      }
      return { point: Boolean(where.point), shapes: shapes?.features.length ?? 0 };
    },
    clearContext() {
      context.clearLayers();
    },
    clearChosen() {
      chosen.clearLayers();
      marker = null;
    },
    // For tests: where the selected member's marker is.
    markerAt() {
      const at = marker?.getLatLng();
      return at ? { lat: at.lat, lon: at.lng } : null;
    },
  };
}

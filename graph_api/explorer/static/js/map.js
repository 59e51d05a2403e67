// The Leaflet map: the municipality boundaries as a base map that needs no internet (outlines over an optional
// tile layer from the server's GRAPH_API_TILE_URL; empty turns tiles off). The view is kept in the URL as lat,lon,zoom.

import { geojson } from "./api.js";
import * as state from "./state.js";
import { showError } from "./ui.js";

const FINLAND = [[59.7, 19.1], [70.1, 31.6]]; // south-west and north-east corners, Åland included
const BASE_STYLE = { color: "#8a8a8a", weight: 0.6, fillColor: "#f3f1ea", fillOpacity: 1 };
const OVER_TILES_STYLE = { ...BASE_STYLE, fillOpacity: 0 };
const BOUNDARY_TOLERANCE = "0.002";

let shapes = null;

export function createMap(element) {
  const map = L.map(element, { zoomSnap: 0.5, preferCanvas: false });
  map.createPane("base").style.zIndex = 250;
  const tiles = tileSettings();
  if (tiles.url) {
    L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 19, pane: "base" }).addTo(map);
  }
  const view = parseView(state.get("view"));
  if (view) map.setView(view.center, view.zoom);
  else map.fitBounds(FINLAND);
  map.on("moveend", () => state.set({ view: formatView(map) }));
  const style = tiles.url ? OVER_TILES_STYLE : BASE_STYLE;
  municipalityShapes().then(
    (collection) => L.geoJSON(collection, { pane: "base", style, interactive: false }).addTo(map),
    (error) => showError(error),
  );
  return map;
}

// The 309 municipalities' boundaries, fetched once for the base map and the coverage colours alike.
export function municipalityShapes() {
  shapes ??= geojson("municipalities", { tolerance: BOUNDARY_TOLERANCE });
  return shapes;
}

function tileSettings() {
  const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content ?? "";
  return { url: meta("graph-api-tile-url"), attribution: meta("graph-api-tile-attribution") };
}

function parseView(text) {
  const [lat, lon, zoom] = (text ?? "").split(",").map(Number);
  if ([lat, lon, zoom].every(Number.isFinite) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
    return { center: [lat, lon], zoom };
  }
  return null;
}

function formatView(map) {
  const center = map.getCenter();
  return `${center.lat.toFixed(5)},${center.lng.toFixed(5)},${map.getZoom()}`;
}

// The map view as the API's BoundsInput, within the ranges the API accepts (a view zoomed far out reaches past them).
export function boundsOf(map) {
  const bounds = map.getBounds();
  const clamp = (value, limit) => Math.max(-limit, Math.min(limit, value));
  return {
    south: clamp(bounds.getSouth(), 90),
    west: clamp(bounds.getWest(), 180),
    north: clamp(bounds.getNorth(), 90),
    east: clamp(bounds.getEast(), 180),
  };
}

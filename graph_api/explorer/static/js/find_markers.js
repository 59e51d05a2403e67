// The search's markers: the point searched from, each hit numbered as in the list (carrying `data-place-id`),
// and a ring around the place whose card is open.

import { localName } from "./i18n.js";
import { element } from "./ui.js";

export function createMarkers(map, { onPlace }) {
  const hits = L.layerGroup();
  const chosen = L.layerGroup();
  const byId = new Map();

  return {
    attach() {
      hits.addTo(map);
      chosen.addTo(map);
    },
    detach() {
      hits.remove();
      chosen.remove();
    },
    // `point` is the geocoded { lat, lon, label }; `places` the hits' places, nearest first.
    draw(point, places) {
      hits.clearLayers();
      byId.clear();
      if (!point) return;
      const origin = L.circleMarker([point.lat, point.lon], {
        radius: 5,
        color: "#1d2433",
        weight: 2,
        fillColor: "#ffbf47",
        fillOpacity: 1,
        interactive: false,
        className: "find-origin",
      });
      hits.addLayer(origin);
      places.forEach((place, index) => {
        const label = element("span", { class: "find-hit-marker", dataset: { placeId: place.id } }, String(index + 1));
        const icon = L.divIcon({ html: label, className: "find-hit-icon", iconSize: [28, 28] });
        const where = [place.location.lat, place.location.lon];
        const marker = L.marker(where, { icon, keyboard: false, title: localName(place) });
        marker.on("click", () => onPlace(place.id));
        byId.set(place.id, marker);
        hits.addLayer(marker);
      });
    },
    // Rings the place with an open card (null: none) and marks its numbered marker.
    choose(place) {
      chosen.clearLayers();
      for (const [id, marker] of byId) marker.getElement()?.classList.toggle("is-chosen", id === place?.id);
      if (!place) return;
      const ring = L.circleMarker([place.location.lat, place.location.lon], {
        radius: 16,
        color: "#ffbf47",
        weight: 4,
        fill: false,
        interactive: false,
        className: "find-chosen",
      });
      chosen.addLayer(ring);
    },
  };
}

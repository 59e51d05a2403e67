// The places of the map view while nothing is searched: counts per cell (`clusters`) when zoomed out, the places
// themselves (`inBounds`) from PLACES_FROM_ZOOM on while the view holds at most PLACES_LIMIT of them (else clusters
// again). Redrawn on `moveend`, debounced; an answer to a request that a newer one has replaced is dropped.

import { graphql } from "./api.js";
import { formatNumber, localName, t } from "./i18n.js";
import { boundsOf } from "./map.js";
import { asText, busy, element } from "./ui.js";

const PLACES_FROM_ZOOM = 11;
const PLACES_LIMIT = 300;
const DEBOUNCE_MS = 250;

const IN_BOUNDS = `query InBounds($bounds: BoundsInput!, $limit: Int!, $kinds: [MeetingPlaceKind!], $activityIds: [ID!],
    $openAt: DateTime) {
  inBounds(bounds: $bounds, limit: $limit, kinds: $kinds, activityIds: $activityIds, openAt: $openAt) {
    totalCount
    places { id name nameSv kind location { lat lon } }
  }
}`;

const CLUSTERS = `query Clusters($bounds: BoundsInput!, $zoom: Int!, $kinds: [MeetingPlaceKind!], $activityIds: [ID!]) {
  clusters(bounds: $bounds, zoom: $zoom, kinds: $kinds, activityIds: $activityIds) {
    totalCount
    clusters { count location { lat lon } bounds { south west north east } place { id name nameSv kind } }
  }
}`;

// `filters()` gives { kinds, activityIds, openAt } (openAt only narrows the places, `clusters` has no such
// argument); `onPlace(id)` is told when a place's marker is clicked, `onCount(text)` what to say of the view.
export function createBrowse({ map, filters, onPlace, onCount }) {
  const layer = L.layerGroup();
  let timer = null;
  let asked = 0;
  let active = false;
  let shown = null;

  const refresh = async () => {
    clearTimeout(timer);
    if (!active) return;
    const ticket = ++asked;
    const answer = await busy(() => load(map, filters()));
    if (ticket !== asked || !active || !answer) return;
    shown = answer;
    draw();
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, DEBOUNCE_MS);
  };

  const draw = () => {
    layer.clearLayers();
    if (!shown) return;
    const markers = shown.places
      ? shown.places.map((place) => placeMarker(place, place.location, onPlace))
      : shown.clusters.map((cell) =>
          cell.place ? placeMarker(cell.place, cell.location, onPlace) : clusterMarker(cell, map),
        );
    for (const marker of markers) layer.addLayer(marker);
    const count = formatNumber(shown.totalCount, 0);
    onCount(t(shown.places ? "find.viewCount" : "find.viewZoom", { count }));
  };

  return {
    start() {
      if (active) return;
      active = true;
      layer.addTo(map);
      map.on("moveend", schedule);
      refresh();
    },
    stop() {
      active = false;
      asked += 1;
      clearTimeout(timer);
      map.off("moveend", schedule);
      layer.clearLayers();
      layer.remove();
      shown = null;
    },
    refresh,
    redraw: draw,
  };
}

async function load(map, { kinds, activityIds, openAt }) {
  const bounds = boundsOf(map);
  const zoom = Math.floor(map.getZoom());
  if (zoom >= PLACES_FROM_ZOOM) {
    const variables = { bounds, limit: PLACES_LIMIT, kinds, activityIds, openAt };
    const { inBounds } = await graphql(IN_BOUNDS, variables);
    if (inBounds.totalCount <= PLACES_LIMIT) return inBounds;
  }
  const { clusters } = await graphql(CLUSTERS, { bounds, zoom, kinds, activityIds });
  return clusters;
}

function placeMarker(place, location, onPlace) {
  const marker = L.circleMarker([location.lat, location.lon], {
    radius: 7,
    color: "#ffffff",
    weight: 2,
    fillColor: "#0b5cad",
    fillOpacity: 0.9,
    className: "find-place-marker",
  });
  marker.bindTooltip(asText(localName(place)));
  marker.on("click", () => onPlace(place.id));
  return marker;
}

// A labelled circle: the cell's count at the places' mean position; clicking it zooms into its cell.
function clusterMarker(cluster, map) {
  const size = cluster.count < 10 ? 30 : cluster.count < 100 ? 36 : 44;
  const count = formatNumber(cluster.count, 0);
  const label = element("span", { class: "find-cluster", dataset: { count: cluster.count } }, count);
  const icon = L.divIcon({ html: label, className: "find-cluster-icon", iconSize: [size, size] });
  const marker = L.marker([cluster.location.lat, cluster.location.lon], {
    icon,
    keyboard: false,
    title: t("find.cluster", { count: cluster.count }),
  });
  const { south, west, north, east } = cluster.bounds;
  marker.on("click", () => map.fitBounds([[south, west], [north, east]]));
  return marker;
}

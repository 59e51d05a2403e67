// The find mode: what is typed is geocoded, the map centres on the first result and the places within RADIUS_KM
// of it are listed nearest first (at most LIMIT, as `nearby` gives them for that point), with numbered markers,
// filters and a place's card. Without a search the map shows the places of its view (find_browse.js).
// State in the URL: q (the search), open, kinds, activities (find_filters.js), place (the open card).

import { graphql } from "./api.js";
import { createBrowse } from "./find_browse.js";
import { createFilters } from "./find_filters.js";
import { distance, kindName, nowWithOffset, openness } from "./find_format.js";
import { createMarkers } from "./find_markers.js";
import { FIND_MESSAGES } from "./find_messages.js";
import { addMessages, formatNumber, localName, onLanguageChange, t, translate } from "./i18n.js";
import { createCard } from "./place_card.js";
import * as state from "./state.js";
import { busy, element } from "./ui.js";

addMessages(FIND_MESSAGES);

const RADIUS_KM = 10;
const LIMIT = 20;
const MAX_SEARCH_ZOOM = 15;

const GEOCODE = `query Geocode($address: String!) {
  geocode(address: $address, limit: 1) { address reason results { label lat lon } }
}`;

const NEARBY = `query Nearby($near: NearInput!, $radiusKm: Float!, $limit: Int!, $kinds: [MeetingPlaceKind!],
    $activityIds: [ID!], $openAt: DateTime, $now: DateTime) {
  nearby(near: $near, radiusKm: $radiusKm, limit: $limit, kinds: $kinds, activityIds: $activityIds, openAt: $openAt) {
    distanceKm
    place {
      id name nameSv kind location { lat lon }
      runBy { role organiser { ... on Named { id nameFi nameSv } } }
      isOpen(at: $now)
      nextOpening(after: $now) { opens closes }
    }
  }
}`;

export function create({ map, panel }) {
  const input = element("input", { type: "search", id: "find-q", name: "q", autocomplete: "off" });
  input.dataset.i18nPlaceholder = "find.placeholder";
  const submit = element("button", { type: "submit", class: "primary", "data-i18n": "find.submit" });
  const form = element(
    "form",
    { class: "find-form", role: "search" },
    element("label", { for: "find-q", "data-i18n": "find.search" }),
    element("div", { class: "find-row" }, input, submit),
  );
  const filters = createFilters({ onChange: filtersChanged });
  const hint = element("p", { class: "find-hint muted", "data-i18n": "find.browse" });
  const summary = element("p", { class: "find-summary", "aria-live": "polite" });
  const cardBox = element("section", { class: "find-card", "aria-labelledby": "find-card-title" });
  const list = element("ol", { class: "find-hits" });
  panel.append(element("h2", { "data-i18n": "find.heading" }), form, filters.root, hint, summary, cardBox, list);

  let visible = false;
  let query = state.get("q") ?? "";
  let outcome = null; // { geocoding, hits, filtered } of the search shown
  let browseText = "";
  let asked = 0;
  let cardPlace = null;
  let restored = false;
  const geocoded = new Map();
  input.value = query;

  const openFromMap = (id) => openCard(id, { from: "map" });
  const markers = createMarkers(map, { onPlace: openFromMap });
  const browse = createBrowse({
    map,
    filters: filters.values,
    onPlace: openFromMap,
    onCount: (text) => {
      browseText = text;
      renderSummary();
    },
  });
  const card = createCard(cardBox, {
    onClose: () => {
      const item = cardPlace && itemOf(cardPlace.id);
      cardPlace = null;
      state.set({ place: null });
      markers.choose(null);
      markChosen();
      (item?.querySelector("button") ?? input).focus();
    },
  });

  // Opens a place's card, from the list (pans to its marker), the map (shows its list item) or the URL.
  async function openCard(id, { from }) {
    const place = await busy(() => card.open(id, { focus: from !== "url" }));
    cardPlace = place ?? null;
    state.set({ place: cardPlace?.id });
    if (!cardPlace) return;
    markers.choose(cardPlace);
    markChosen();
    const where = L.latLng(cardPlace.location.lat, cardPlace.location.lon);
    if (from === "list" || !map.getBounds().contains(where)) map.panTo(where);
    if (from === "map") itemOf(cardPlace.id)?.scrollIntoView({ block: "nearest" });
    cardBox.scrollIntoView({ block: "nearest" });
  }

  // Geocodes the query (once per text) and asks `nearby` for its first result; `fit` centres the map on it.
  async function search({ fit }) {
    const ticket = ++asked;
    const text = query;
    const asking = filters.values();
    list.setAttribute("aria-busy", "true");
    const result = await busy(async () => {
      if (!geocoded.has(text)) geocoded.set(text, (await graphql(GEOCODE, { address: text })).geocode);
      const geocoding = geocoded.get(text);
      const point = geocoding.results[0];
      if (!point) return { geocoding, hits: [] };
      const near = { lat: point.lat, lon: point.lon };
      const variables = { near, radiusKm: RADIUS_KM, limit: LIMIT, ...asking, now: asking.openAt ?? nowWithOffset() };
      return { geocoding, hits: (await graphql(NEARBY, variables)).nearby };
    });
    if (ticket !== asked) return;
    list.removeAttribute("aria-busy");
    if (!result) return;
    outcome = { ...result, filtered: Boolean(asking.kinds || asking.activityIds || asking.openAt) };
    drawHits();
    renderSummary();
    renderList();
    const point = result.geocoding.results[0];
    if (fit && point) {
      // A square around the point, its sides 2.2 times the farthest hit's distance: every hit in view, with a margin.
      const reach = Math.max(RADIUS_KM / 4, ...result.hits.map((hit) => hit.distanceKm));
      map.fitBounds(L.latLng(point.lat, point.lon).toBounds(2200 * reach), { maxZoom: MAX_SEARCH_ZOOM });
    }
  }

  function searchFor(text) {
    query = text.trim();
    state.set({ q: query });
    outcome = null;
    asked += 1;
    list.removeAttribute("aria-busy");
    drawHits();
    renderSummary();
    renderList();
    if (!visible) return;
    if (query) {
      browse.stop();
      search({ fit: true });
    } else {
      browse.start();
    }
  }

  function filtersChanged() {
    if (!visible) return;
    if (query) search({ fit: false });
    else browse.refresh();
  }

  function drawHits() {
    markers.draw(outcome?.geocoding.results[0], outcome?.hits.map((hit) => hit.place) ?? []);
    markers.choose(cardPlace);
  }

  function renderSummary() {
    hint.hidden = Boolean(query);
    if (!query || !outcome) {
      summary.textContent = query ? "" : browseText;
      return;
    }
    const { geocoding, hits, filtered } = outcome;
    const point = geocoding.results[0];
    if (!point) {
      const notFound = t("find.notFound", { address: geocoding.address });
      summary.textContent = [notFound, geocoding.reason].filter(Boolean).join(" ");
      return;
    }
    const values = { count: formatNumber(hits.length, 0), km: formatNumber(RADIUS_KM, 0), label: point.label };
    if (hits.length === 0) summary.textContent = t(filtered ? "find.noneFiltered" : "find.none", values);
    else summary.textContent = t(hits.length === 1 ? "find.resultsOne" : "find.results", values);
  }

  function renderList() {
    const hits = query && outcome ? outcome.hits : [];
    const items = hits.map((hit, index) => hitItem(hit, index + 1));
    for (const item of items) {
      item.querySelector("button").addEventListener("click", () => openCard(item.dataset.placeId, { from: "list" }));
    }
    list.replaceChildren(...items);
    markChosen();
  }

  // Highlights the list item of the place whose card is open.
  function markChosen() {
    for (const item of list.children) {
      const chosen = item.dataset.placeId === cardPlace?.id;
      item.classList.toggle("is-chosen", chosen);
      if (chosen) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
    }
  }

  function itemOf(id) {
    return list.querySelector(`li[data-place-id="${CSS.escape(id)}"]`);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    searchFor(input.value);
  });
  input.addEventListener("search", () => {
    if (!input.value && query) searchFor("");
  });
  onLanguageChange(() => {
    renderSummary();
    renderList();
    card.render();
    browse.redraw();
    drawHits();
  });
  translate(panel);
  renderSummary();

  return {
    show() {
      visible = true;
      markers.attach();
      if (!query) browse.start();
      else if (!outcome) search({ fit: true });
      if (!restored) {
        restored = true;
        if (state.get("place")) openCard(state.get("place"), { from: "url" });
      }
    },
    hide() {
      visible = false;
      markers.detach();
      browse.stop();
    },
  };
}

// A hit in the list: its rank (as on its marker), a button with its name that opens its card, its distance, kind,
// organisers and whether it is open now.
function hitItem(hit, rank) {
  const { place } = hit;
  const rankBadge = element("span", { class: "find-rank", "aria-hidden": "true" }, String(rank));
  const facts = element(
    "p",
    { class: "find-hit-facts" },
    element("span", { class: "find-distance", dataset: { km: hit.distanceKm } }, distance(hit.distanceKm)),
    " · ",
    element("span", { class: "find-kind" }, kindName(place.kind)),
  );
  return element(
    "li",
    { class: "find-hit", dataset: { placeId: place.id } },
    element("button", { type: "button", class: "find-hit-name" }, rankBadge, localName(place)),
    facts,
    element("p", { class: "find-hit-organisers" }, place.runBy.map((run) => localName(run.organiser)).join(", ")),
    element("p", { class: place.isOpen ? "find-open is-open" : "find-open" }, openness(place)),
  );
}

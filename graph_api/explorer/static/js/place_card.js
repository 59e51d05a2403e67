// A meeting place's card: what it is, who runs it, what it offers, when it is open (its weekly hours, closures, now
// and next), where it is, and a demo badge for demo data. It can be closed with its button or Escape.

import { graphql } from "./api.js";
import {
  WEEKDAYS,
  calendarDate,
  kindName,
  moment,
  momentTime,
  nowWithOffset,
  wallTime,
  weekdayName,
} from "./find_format.js";
import { localName, t } from "./i18n.js";
import { demoBadge, element } from "./ui.js";

const PLACE = `query Place($id: ID!, $now: DateTime) {
  node(id: $id) {
    ... on MeetingPlace {
      id name nameSv kind isDemo streetAddress postalCode
      location { lat lon }
      municipality { nameFi nameSv }
      familyCentre { nameFi nameSv }
      runBy { role organiser { ... on Named { id nameFi nameSv } } }
      activities { id nameFi nameSv nameEn }
      openingHours { opensAt closesAt weekdays validFrom validTo }
      closures { from to reason }
      isOpen(at: $now)
      nextOpening(after: $now) { opens closes }
    }
  }
}`;

// The card drawn into `container`; `onClose` is told when the reader closes it.
export function createCard(container, { onClose }) {
  let place = null;

  const close = () => {
    place = null;
    container.replaceChildren();
    container.hidden = true;
    onClose();
  };
  container.hidden = true;
  container.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && place) {
      event.stopPropagation();
      close();
    }
  });

  const render = () => {
    if (!place) return;
    container.replaceChildren(...cardContent(place, close));
    container.hidden = false;
  };

  return {
    // Loads and shows the place; resolves to it (null when there is no such place); `focus` moves focus to its title.
    async open(id, { focus }) {
      const data = await graphql(PLACE, { id, now: nowWithOffset() });
      place = data.node?.id ? data.node : null;
      if (!place) return null;
      render();
      container.dataset.placeId = place.id;
      if (focus) container.querySelector("h3").focus();
      return place;
    },
    close,
    render,
  };
}

function cardContent(place, close) {
  const heading = element("h3", { id: "find-card-title", tabindex: "-1" }, localName(place));
  const closeButton = element("button", { type: "button", class: "find-card-close", "aria-label": t("find.close") });
  closeButton.append("×");
  closeButton.addEventListener("click", close);
  return [
    element("div", { class: "find-card-head" }, heading, closeButton),
    element("p", { class: "find-card-kind" }, kindName(place.kind), ...(place.isDemo ? [" ", demoBadge()] : [])),
    section("find.address", element("p", {}, address(place))),
    section("find.organisers", organisers(place)),
    place.familyCentre ? section("find.familyCentre", element("p", {}, localName(place.familyCentre))) : null,
    section("find.placeActivities", activities(place)),
    section("find.hours", hours(place)),
    place.closures.length ? section("find.closures", closures(place)) : null,
    section("find.nextOpening", ...nextOpening(place)),
  ].filter(Boolean);
}

function section(titleKey, ...content) {
  return element("section", { class: "find-card-part" }, element("h4", {}, t(titleKey)), ...content);
}

function address(place) {
  const town = localName(place.municipality);
  const street = [place.streetAddress, [place.postalCode, town].filter(Boolean).join(" ")];
  return street.filter(Boolean).join(", ");
}

function organisers(place) {
  const items = place.runBy.map((run) =>
    element(
      "li",
      { dataset: { organiserId: run.organiser.id } },
      localName(run.organiser),
      element("span", { class: "muted" }, ` (${t(`find.role_${run.role}`)})`),
    ),
  );
  return element("ul", { class: "find-organisers" }, ...items);
}

function activities(place) {
  const items = place.activities.map((activity) =>
    element("li", { dataset: { activityId: activity.id } }, localName(activity)),
  );
  return element("ul", { class: "find-activities" }, ...items);
}

// One row per weekday that has hours, its times in order, each with the dates it is valid on if limited.
function hours(place) {
  if (!place.openingHours.length) return element("p", { class: "muted" }, t("find.noHours"));
  const rows = WEEKDAYS.map((day) => {
    const times = place.openingHours
      .filter((row) => row.weekdays.includes(day))
      .sort((a, b) => a.opensAt.localeCompare(b.opensAt))
      .map(timeSpan);
    if (!times.length) return null;
    return element(
      "tr",
      { dataset: { weekday: day } },
      element("th", { scope: "row" }, weekdayName(day)),
      element("td", {}, times.join(", ")),
    );
  }).filter(Boolean);
  const column = (key) => element("th", { scope: "col" }, t(key));
  const head = element("tr", {}, column("find.day"), column("find.time"));
  return element("table", { class: "find-hours" }, element("thead", {}, head), element("tbody", {}, ...rows));
}

function timeSpan(row) {
  const span = `${wallTime(row.opensAt)}–${wallTime(row.closesAt)}`;
  const valid = [
    row.validFrom ? t("find.validFrom", { date: calendarDate(row.validFrom) }) : null,
    row.validTo ? t("find.validTo", { date: calendarDate(row.validTo) }) : null,
  ].filter(Boolean);
  return valid.length ? `${span} (${valid.join(" ")})` : span;
}

function closures(place) {
  const items = place.closures.map((closure) => {
    const last = closure.to === closure.from ? "" : `–${calendarDate(closure.to)}`;
    const dates = `${calendarDate(closure.from)}${last}`;
    return element("li", {}, closure.reason ? `${dates}: ${closure.reason}` : dates);
  });
  return element("ul", { class: "find-closures" }, ...items);
}

function nextOpening(place) {
  const status = element(
    "p",
    { class: place.isOpen ? "find-open is-open" : "find-open" },
    t(place.isOpen ? "find.open" : "find.closed"),
  );
  const next = place.nextOpening;
  if (!next) return [status, element("p", { class: "muted" }, t("find.noNextOpening"))];
  const when = element(
    "p",
    { class: "find-next" },
    element("time", { datetime: next.opens }, moment(next.opens)),
    "–",
    element("time", { datetime: next.closes }, momentTime(next.closes)),
  );
  return [status, when];
}

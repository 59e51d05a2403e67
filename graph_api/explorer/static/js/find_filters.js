// The find mode's filters: open now, kinds, and the activities a place can offer (LOCAL ones: NATIONAL activities
// are phone lines, chats and sites that no place offers). Restored from and kept in the URL (open, kinds, activities).

import { localActivities } from "./activities.js";
import { nowWithOffset } from "./find_format.js";
import { localName, onLanguageChange, t } from "./i18n.js";
import * as state from "./state.js";
import { element, showError } from "./ui.js";

const KINDS = ["FAMILY_CAFE", "MEETING_PLACE", "FAMILY_HOUSE", "OPEN_DAYCARE"];

// `onChange()` is told after the reader changes a filter (the URL already says so).
export function createFilters({ onChange }) {
  const openNow = element("input", { type: "checkbox", id: "find-open", checked: state.get("open") === "1" });
  const kindBoxes = KINDS.map((kind) =>
    element("input", { type: "checkbox", name: "kind", value: kind, checked: state.getList("kinds").includes(kind) }),
  );
  const activityBoxes = element("div", { class: "find-activity-boxes" });
  const summary = element("summary", {});
  const root = element(
    "fieldset",
    { class: "find-filters" },
    element("legend", { "data-i18n": "find.filters" }),
    element("label", {}, openNow, element("span", { "data-i18n": "find.openNow" })),
    element(
      "fieldset",
      {},
      element("legend", { "data-i18n": "find.kinds" }),
      ...kindBoxes.map((box) => element("label", {}, box, element("span", { "data-i18n": `kind_${box.value}` }))),
    ),
    element(
      "details",
      { class: "find-activities-filter" },
      summary,
      element("fieldset", {}, element("legend", { "data-i18n": "find.activities" }), activityBoxes),
    ),
  );

  let activities = [];
  let activityIds = state.getList("activities"); // as the URL says until the activities have loaded
  const checked = (boxes) => boxes.filter((box) => box.checked).map((box) => box.value);

  const renderSummary = () => {
    summary.textContent = activityIds.length
      ? t("find.activitiesChosen", { count: activityIds.length })
      : t("find.activities");
  };
  const renderActivities = () => {
    const sorted = [...activities].sort((a, b) => localName(a).localeCompare(localName(b)));
    const boxes = sorted.map((activity) => {
      const box = element("input", { type: "checkbox", name: "activity", value: activity.id });
      box.checked = activityIds.includes(activity.id);
      box.addEventListener("change", changed);
      return element("label", {}, box, element("span", {}, localName(activity)));
    });
    activityBoxes.replaceChildren(...boxes);
    renderSummary();
  };
  function changed() {
    if (activities.length) activityIds = checked([...activityBoxes.querySelectorAll("input")]);
    const kinds = checked(kindBoxes);
    state.set({ open: openNow.checked ? "1" : null, kinds, activities: activityIds });
    renderSummary();
    onChange();
  }

  openNow.addEventListener("change", changed);
  for (const box of kindBoxes) box.addEventListener("change", changed);
  onLanguageChange(renderActivities);
  renderSummary();
  localActivities().then((offerable) => {
    activities = offerable;
    renderActivities();
  }, showError);

  return {
    root,
    // The filters as `nearby`'s arguments (null: not narrowed); `openAt` is the browser's time now when asked.
    values() {
      const kinds = checked(kindBoxes);
      return {
        kinds: kinds.length ? kinds : null,
        activityIds: activityIds.length ? [...activityIds] : null,
        openAt: openNow.checked ? nowWithOffset() : null,
      };
    },
  };
}

// The coverage mode's terms as controls: the area (the whole country, a county, region or MLL district), the
// distance, and which places count (by kind and activity, or by THL task). Each control keeps its value in the URL
// (`area`, `km`, `kinds`, `activities`, `by`, `tasks`), and `restore` reads them back, keeping only known values.
// `kinds` (none: all) and `activities` (Activity ids) mean the same in the find mode, which shares them.

import { language, localName, t } from "./i18n.js";
import * as state from "./state.js";
import { element } from "./ui.js";

const KINDS = ["FAMILY_CAFE", "MEETING_PLACE", "FAMILY_HOUSE", "OPEN_DAYCARE"];
const DEFAULT_KM = 10;
const MAX_KM = 1000;
const AREA_GROUPS = [
  ["welfareAreas", "coverage.welfareAreas"],
  ["regions", "coverage.regions"],
  ["districts", "coverage.districts"],
];
const TASK = "FamilyCentreTask:";

// `onChange(areaChanged)` is called after a control has changed and its value is in the URL.
export function createForm(onChange) {
  let choices = null;
  const area = element("select", { id: "coverage-area" });
  const km = element("input", {
    id: "coverage-km",
    type: "number",
    min: "0",
    max: String(MAX_KM),
    step: "any",
    required: true,
    "aria-describedby": "coverage-km-error",
  });
  const kmError = element("p", {
    id: "coverage-km-error",
    class: "coverage-error",
    hidden: true,
    "data-i18n": "coverage.kmInvalid",
  });
  const byRadios = ["kind", "task"].map((value) => element("input", { type: "radio", name: "coverage-by", value }));
  const kinds = KINDS.map((kind) => element("input", { type: "checkbox", name: "coverage-kind", value: kind }));
  const kindLabels = KINDS.map((kind) => element("span", { "data-i18n": `kind_${kind}` }));
  const kindsError = element("p", { class: "coverage-error", hidden: true, "data-i18n": "coverage.kindsNone" });
  const activities = element("div", {
    class: "coverage-choices",
    role: "group",
    "aria-labelledby": "coverage-offered",
  });
  const activityChoice = element(
    "details",
    { class: "coverage-offered" },
    element("summary", { id: "coverage-offered", "data-i18n": "coverage.activities" }),
    activities,
  );
  const byKind = element(
    "div",
    {},
    element(
      "fieldset",
      {},
      element("legend", { "data-i18n": "coverage.kinds" }),
      ...kinds.map((box, index) => element("label", {}, box, kindLabels[index])),
      kindsError,
    ),
    activityChoice,
  );
  const form = element(
    "form",
    { class: "coverage-form", novalidate: true },
    element("label", { class: "coverage-field" }, element("span", { "data-i18n": "coverage.area" }), area),
    element("label", { class: "coverage-field" }, element("span", { "data-i18n": "coverage.withinKm" }), km),
    kmError,
    element(
      "fieldset",
      {},
      element("legend", { "data-i18n": "coverage.by" }),
      element("label", {}, byRadios[0], element("span", { "data-i18n": "coverage.byKind" })),
      element("label", {}, byRadios[1], element("span", { "data-i18n": "coverage.byTask" })),
    ),
    byKind,
  );
  form.addEventListener("submit", (event) => event.preventDefault());

  area.addEventListener("change", () => {
    state.set({ area: area.value, municipality: null });
    onChange(true);
  });
  km.addEventListener("change", () => {
    if (checked()) state.set({ km: km.value });
    onChange(false);
  });
  for (const radio of byRadios) {
    radio.addEventListener("change", () => {
      showParts();
      state.set(taskView() ? { by: "task", tasks: [taskKey(chosenTask())] } : { by: null });
      onChange(false);
    });
  }
  for (const box of kinds) {
    box.addEventListener("change", () => {
      const chosen = checkedValues(kinds);
      state.set({ kinds: chosen.length === KINDS.length ? null : chosen });
      checked();
      onChange(false);
    });
  }
  activities.addEventListener("change", () => {
    state.set({ activities: checkedValues(activities.querySelectorAll("input")) });
    onChange(false);
  });

  // Shows the problems with the terms; true when there are none.
  function checked() {
    const value = Number(km.value);
    const kmValid = km.value !== "" && value > 0 && value <= MAX_KM;
    km.setCustomValidity(kmValid ? "" : t("coverage.kmInvalid"));
    km.setAttribute("aria-invalid", String(!kmValid));
    kmError.hidden = kmValid;
    const kindsValid = taskView() || kinds.some((box) => box.checked);
    kindsError.hidden = kindsValid;
    return kmValid && kindsValid;
  }

  function taskView() {
    return byRadios[1].checked;
  }

  function showParts() {
    byKind.hidden = taskView();
  }

  function fillAreas() {
    const chosen = area.value || state.get("area") || "";
    const collator = new Intl.Collator(language());
    const groups = AREA_GROUPS.map(([key, label]) => {
      const areas = [...choices.areas[key]].sort((a, b) => collator.compare(localName(a), localName(b)));
      const options = areas.map((a) => element("option", { value: a.id }, localName(a)));
      return element("optgroup", { label: t(label) }, ...options);
    });
    area.replaceChildren(element("option", { value: "" }, t("coverage.country")), ...groups);
    area.value = chosen;
  }

  function fillActivities() {
    const chosen = new Set(checkedValues(activities.querySelectorAll("input")));
    activities.replaceChildren(
      ...choices.activities.map((activity) =>
        element(
          "label",
          {},
          element("input", { type: "checkbox", value: activity.id, checked: chosen.has(activity.id) }),
          localName(activity),
        ),
      ),
    );
  }

  return {
    element: form,
    fill(loaded) {
      choices = loaded;
      fillAreas();
      fillActivities();
    },
    // Sets the controls from the URL, keeping known values only (an unknown area is the whole country).
    restore() {
      const areaId = state.get("area") ?? "";
      area.value = AREA_GROUPS.some(([key]) => choices.areas[key].some((a) => a.id === areaId)) ? areaId : "";
      const value = Number(state.get("km"));
      km.value = String(state.get("km") && value > 0 && value <= MAX_KM ? value : DEFAULT_KM);
      byRadios[state.get("by") === "task" ? 1 : 0].checked = true;
      const kindList = state.getList("kinds").filter((kind) => KINDS.includes(kind));
      for (const box of kinds) box.checked = !kindList.length || kindList.includes(box.value);
      const activityIds = new Set(state.getList("activities"));
      for (const box of activities.querySelectorAll("input")) box.checked = activityIds.has(box.value);
      if (activityIds.size) activityChoice.open = true;
      showParts();
      checked();
    },
    relabel() {
      fillAreas();
      fillActivities();
      checked();
    },
    // The terms asked, or null when a control's value is not valid.
    terms() {
      if (!checked()) return null;
      const kindList = checkedValues(kinds);
      const activityIds = checkedValues(activities.querySelectorAll("input"));
      const byTask = taskView();
      return {
        areaId: area.value || null,
        withinKm: Number(km.value),
        kinds: byTask || kindList.length === KINDS.length ? null : kindList,
        activityIds: byTask || !activityIds.length ? null : activityIds,
        taskIds: byTask ? [chosenTask()] : null,
        taskView: byTask,
      };
    },
  };

  // The task the task view colours the map by: the first asked in the URL, else task 1.
  function chosenTask() {
    const ids = state.getList("tasks").map((key) => TASK + key.replace(TASK, ""));
    return ids.find((id) => choices.tasks.some((task) => task.id === id)) ?? choices.tasks[0].id;
  }
}

export function taskKey(id) {
  return id.slice(TASK.length);
}

function checkedValues(boxes) {
  return [...boxes].filter((box) => box.checked).map((box) => box.value);
}

// Boots the explorer: the language, the map, the three modes and the mode switch, all restored from the URL.

import * as coverage from "./coverage.js";
import * as find from "./find.js";
import { onLanguageChange, preferred, setLanguage } from "./i18n.js";
import { createMap } from "./map.js";
import * as network from "./network.js";
import * as state from "./state.js";

const MODES = { find, coverage, network };

function boot() {
  const picker = document.getElementById("language");
  setLanguage(preferred(state.get("lang")));
  picker.value = document.documentElement.lang;
  picker.addEventListener("change", () => setLanguage(picker.value));
  onLanguageChange((language) => state.set({ lang: language }));
  state.set({ lang: document.documentElement.lang });

  const map = createMap(document.getElementById("map"));
  window.explorer = { map }; // the Leaflet map, for a developer's console and the browser tests
  const shown = {};
  for (const [name, mode] of Object.entries(MODES)) {
    shown[name] = mode.create({ map, panel: document.getElementById(name) });
  }
  let current = null;
  const show = (name) => {
    const next = name in MODES ? name : "find";
    if (current === next) return;
    if (current) shown[current].hide();
    for (const button of document.querySelectorAll("[data-mode]")) {
      button.setAttribute("aria-pressed", String(button.dataset.mode === next));
    }
    for (const panel of document.querySelectorAll("[data-mode-panel]")) panel.hidden = panel.dataset.modePanel !== next;
    current = next;
    state.set({ mode: next });
    shown[next].show();
  };
  for (const button of document.querySelectorAll("[data-mode]")) {
    button.addEventListener("click", () => show(button.dataset.mode));
  }
  show(state.get("mode"));
}

boot();

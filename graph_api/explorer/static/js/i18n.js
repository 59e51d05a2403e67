// The page's words in Finnish, Swedish and English. Each mode adds its own with `addMessages`; elements carry
// `data-i18n` (text), `data-i18n-label` (aria-label) or `data-i18n-placeholder`, and `translate` fills them.
// The language chosen is remembered in localStorage and carried in the URL.

const LANGUAGES = ["fi", "sv", "en"];
const STORAGE_KEY = "graph-api-language";

const messages = {
  fi: {
    title: "Kumppanuuskartta",
    skipToPanel: "Siirry sisältöön",
    modes: "Näkymä",
    modeFind: "Etsi",
    modeCoverage: "Kattavuus",
    modeNetwork: "Verkosto",
    language: "Kieli",
    map: "Kartta",
    loading: "Ladataan…",
    failed: "Haku epäonnistui: {message}",
    demo: "Esimerkkitietoa",
    demoNote: "Esimerkkitietoa, ei oikeaa rekisteriä",
    kind_FAMILY_CAFE: "Perhekahvila",
    kind_MEETING_PLACE: "Kohtaamispaikka",
    kind_FAMILY_HOUSE: "Perhetalo",
    kind_OPEN_DAYCARE: "Avoin päiväkoti",
    km: "{value} km",
  },
  sv: {
    title: "Partnerskapskartan",
    skipToPanel: "Gå till innehållet",
    modes: "Vy",
    modeFind: "Sök",
    modeCoverage: "Täckning",
    modeNetwork: "Nätverk",
    language: "Språk",
    map: "Karta",
    loading: "Laddar…",
    failed: "Sökningen misslyckades: {message}",
    demo: "Exempeldata",
    demoNote: "Exempeldata, inte det riktiga registret",
    kind_FAMILY_CAFE: "Familjecafé",
    kind_MEETING_PLACE: "Mötesplats",
    kind_FAMILY_HOUSE: "Familjehus",
    kind_OPEN_DAYCARE: "Öppet daghem",
    km: "{value} km",
  },
  en: {
    title: "Partnership map",
    skipToPanel: "Skip to content",
    modes: "View",
    modeFind: "Find",
    modeCoverage: "Coverage",
    modeNetwork: "Network",
    language: "Language",
    map: "Map",
    loading: "Loading…",
    failed: "The request failed: {message}",
    demo: "Demo data",
    demoNote: "Demo data, not the real register",
    kind_FAMILY_CAFE: "Family café",
    kind_MEETING_PLACE: "Meeting place",
    kind_FAMILY_HOUSE: "Family house",
    kind_OPEN_DAYCARE: "Open daycare",
    km: "{value} km",
  },
};

const listeners = new Set();
let current = "fi";

export function addMessages(more) {
  for (const language of LANGUAGES) Object.assign(messages[language], more[language]);
}

export function t(key, values = {}) {
  const text = messages[current][key] ?? messages.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

export function language() {
  return current;
}

// The language asked for in the URL, else the one remembered, else the browser's if we have it, else Finnish.
export function preferred(fromUrl) {
  const candidates = [fromUrl, localStorage.getItem(STORAGE_KEY), ...navigator.languages.map((tag) => tag.slice(0, 2))];
  return candidates.find((candidate) => LANGUAGES.includes(candidate)) ?? "fi";
}

export function setLanguage(language) {
  current = LANGUAGES.includes(language) ? language : "fi";
  localStorage.setItem(STORAGE_KEY, current);
  document.documentElement.lang = current;
  translate(document);
  for (const listener of listeners) listener(current);
}

export function onLanguageChange(listener) {
  listeners.add(listener);
}

export function translate(root) {
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll("[data-i18n-label]")) {
    element.setAttribute("aria-label", t(element.dataset.i18nLabel));
  }
  for (const element of root.querySelectorAll("[data-i18n-placeholder]")) {
    element.setAttribute("placeholder", t(element.dataset.i18nPlaceholder));
  }
}

// A number in the language's own way (decimal comma in Finnish and Swedish), with at most `digits` decimals.
export function formatNumber(value, digits = 1) {
  return new Intl.NumberFormat(current, { maximumFractionDigits: digits }).format(value);
}

// The same with exactly `digits` decimals, so that a column's figures line up.
export function formatFixed(value, digits) {
  return new Intl.NumberFormat(current, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

// A node's name in the language shown (`nameSv`, `nameEn`) where it has one, else its Finnish name.
export function localName(names) {
  return (current === "sv" && names.nameSv) || (current === "en" && names.nameEn) || names.nameFi || names.name;
}

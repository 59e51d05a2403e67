// Small DOM helpers the modes share: building elements, the status line, and errors shown instead of thrown.

import { t } from "./i18n.js";

// `element("li", { class: "hit", dataset: { placeId: id } }, "text", child)`.
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "dataset") Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function showStatus(text) {
  document.getElementById("status").textContent = text;
}

export function showError(error) {
  showStatus(t("failed", { message: error.message }));
}

// Runs `work`, showing "Loading…" meanwhile and the error (not a console error) if it fails.
export async function busy(work) {
  showStatus(t("loading"));
  try {
    const result = await work();
    showStatus("");
    return result;
  } catch (error) {
    showError(error);
    return undefined;
  }
}

export function demoBadge() {
  return element("span", { class: "demo-badge", title: t("demoNote") }, t("demo"));
}

// Text for a Leaflet tooltip or popup, which reads a string as HTML: names come from partners, and stay text.
export function asText(text) {
  return element("span", {}, text);
}

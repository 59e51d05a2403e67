// The coverage mode (being written).

import { element } from "./ui.js";

export function create({ panel }) {
  panel.append(element("h2", {}, "coverage"));
  return { show() {}, hide() {} };
}

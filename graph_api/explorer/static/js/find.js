// The find mode (being written).

import { element } from "./ui.js";

export function create({ panel }) {
  panel.append(element("h2", {}, "find"));
  return { show() {}, hide() {} };
}

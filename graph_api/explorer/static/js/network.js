// The network mode (being written).

import { element } from "./ui.js";

export function create({ panel }) {
  panel.append(element("h2", {}, "network"));
  return { show() {}, hide() {} };
}

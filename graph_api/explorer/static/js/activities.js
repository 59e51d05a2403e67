// The activities a meeting place can offer, asked once for every mode: the LOCAL ones (NATIONAL activities are
// phone lines, chats and sites, which no place offers, and which the API refuses as the only filter).

import { graphql } from "./api.js";

const ACTIVITIES = `query Activities { activities { id nameFi nameSv nameEn channel } }`;

let asked = null;

export function localActivities() {
  asked ??= graphql(ACTIVITIES).then(({ activities }) => activities.filter((activity) => activity.channel === "LOCAL"));
  return asked;
}

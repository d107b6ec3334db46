/**
 * Shortening long texts for pages that list many records (the profile's timeline): the list shows the
 * start of a text and links to the record's own page, where it is whole. Done on the server, so the
 * tail is neither rendered nor sent in the page's data.
 */

export interface Shortened {
  text: string;
  /** True when the text was cut: the page then links to where it is whole. */
  cut: boolean;
}

const ELLIPSIS = "…";

/**
 * `text` whole when it has at most `max` characters; otherwise its start, cut at the last word boundary
 * within `max - 1` characters (so the ellipsis fits), without trailing spaces or punctuation. A single
 * word longer than that (a pasted URL) is cut where it reaches the limit.
 */
export function shorten(text: string, max: number): Shortened {
  if (text.length <= max) return { text, cut: false };
  // Never half of a character outside the Basic Multilingual Plane (an emoji): slice counts UTF-16 units.
  const room = text.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, "");
  // Cut before the word that does not fit, unless that word began in the first half of the limit.
  const boundary = /\s\S*$/.exec(room)?.index ?? -1;
  const start = boundary >= max / 2 ? room.slice(0, boundary) : room;
  return { text: `${start.replace(/[\s,;:.\-–—]+$/u, "")}${ELLIPSIS}`, cut: true };
}

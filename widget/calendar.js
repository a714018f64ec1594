// calendar.js writes the dates of a citizen's cases as an iCalendar file
// (RFC 5545), for "add to calendar". The element loads it the first time
// someone asks for a file (a dynamic import), so the first paint of the
// overview never waits for it.
//
// It runs in the browser, on the cases the element already has: the file
// is made on the spot and handed to the user as a download; no server
// sees the request and nothing is kept.

/**
 * One date to put in the calendar.
 * @typedef {{
 *   start: string,
 *   summary: string,
 *   description: string,
 *   reminder: string,
 *   lang?: string,
 * }} CalendarEntry
 * start: when, as the kit sends it ("2026-12-13T00:00:00+01:00"). Midnight
 * in Sweden is a whole day (a deadline: the standard's dates seldom have a
 * time of day); any other time is a planned event at that moment.
 * summary: the event's title; description: the producer and the case;
 * reminder: what the alarm says; lang: the language of the case's text.
 */

// The parts of a moment in Swedish time: its date, and whether it is midnight.
const SWEDISH_TIME = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Stockholm",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

/**
 * calendarFile is the iCalendar text of entries (CRLF line ends, long lines
 * folded), stamped now. Each event gets a random UID: the file describes
 * the moment it was made and is not a feed to be updated.
 * @param {CalendarEntry[]} entries
 * @param {Date} [now]
 * @returns {string}
 */
export function calendarFile(entries, now = new Date()) {
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//arendevy//arendevy-overview//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"];
  for (const entry of entries) {
    const start = new Date(entry.start);
    const day = swedishDay(start);
    const language = entry.lang ? ";LANGUAGE=" + entry.lang : "";
    lines.push(
      "BEGIN:VEVENT",
      "UID:" + crypto.randomUUID() + "@arendevy",
      "DTSTAMP:" + utcStamp(now),
      day ? "DTSTART;VALUE=DATE:" + day.replaceAll("-", "") : "DTSTART:" + utcStamp(start),
      // A deadline takes the whole day; a planned event is a moment.
      day ? "DTEND;VALUE=DATE:" + nextDay(day) : "DURATION:PT0S",
      "SUMMARY" + language + ":" + escapeText(entry.summary),
      "DESCRIPTION" + language + ":" + escapeText(entry.description),
      "TRANSP:TRANSPARENT",
      "BEGIN:VALARM",
      "ACTION:DISPLAY",
      // The day before a deadline, two hours before a planned event.
      "TRIGGER:" + (day ? "-P1D" : "-PT2H"),
      "DESCRIPTION:" + escapeText(entry.reminder),
      "END:VALARM",
      "END:VEVENT",
    );
  }
  lines.push("END:VCALENDAR");
  return lines.map(fold).join("\r\n") + "\r\n";
}

/**
 * swedishDay is time's date in Sweden ("2026-12-13") when time is midnight
 * there, and "" when it has a time of day.
 * @param {Date} time
 */
function swedishDay(time) {
  /** @type {Record<string, string>} */
  const part = {};
  for (const { type, value } of SWEDISH_TIME.formatToParts(time)) part[type] = value;
  return part.hour == "00" && part.minute == "00" && part.second == "00" ? part.year + "-" + part.month + "-" + part.day : "";
}

/**
 * utcStamp is time as an iCalendar UTC date-time: 20261213T093000Z.
 * @param {Date} time
 */
function utcStamp(time) {
  return time.toISOString().replace(/\.\d+/, "").replace(/[-:]/g, "");
}

/**
 * nextDay is the day after an ISO date, as an iCalendar date: an all-day
 * event ends (exclusively) then.
 * @param {string} date
 */
function nextDay(date) {
  const day = new Date(date + "T00:00:00Z");
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10).replaceAll("-", "");
}

/**
 * escapeText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon,
 * comma and line breaks, which would otherwise end or split the value.
 * @param {string} text
 */
function escapeText(text) {
  return text.replace(/[\\;,]/g, "\\$&").replace(/\r\n|\r|\n/g, "\\n");
}

/**
 * fold splits a content line longer than 75 octets (RFC 5545 3.1) into
 * lines that go on with a space, never inside a UTF-8 character.
 * @param {string} line
 */
function fold(line) {
  const encoder = new TextEncoder();
  const parts = [];
  let part = "";
  let octets = 0;
  for (const character of line) {
    const size = encoder.encode(character).length;
    // The first line holds 75 octets; the others 74 after their space.
    if (octets + size > (parts.length ? 74 : 75)) {
      parts.push(part);
      part = "";
      octets = 0;
    }
    part += character;
    octets += size;
  }
  parts.push(part);
  return parts.join("\r\n ");
}

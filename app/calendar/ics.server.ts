/**
 * iCalendar objects (RFC 5545), made with the `ics` library: a calibration meeting as an invitation
 * (METHOD:REQUEST) or its cancellation (METHOD:CANCEL), and a person's calendar feed (METHOD:PUBLISH).
 *
 * What an event may say: a neutral summary and a link into the app. Never a meeting's title (a person
 * wrote it and it may name a candidate), a candidate's name, or any text of a judgement. An update or a
 * cancellation keeps the meeting's UID and carries its version as SEQUENCE, which only grows.
 * Times are UTC instants; check-ins and due dates are all-day events (DATE values, no zone).
 */
import { createEvents, type EventAttributes } from "ics";

const PRODUCT_ID = "-//Noseworthy//Calendar//EN";
export const UID_DOMAIN = "noseworthy.calendar";

export const MEETING_SUMMARY = "Calibration meeting";
export const DEFAULT_MEETING_MINUTES = 60;

export function meetingUid(meetingId: string): string {
  return `calibration-${meetingId}@${UID_DOMAIN}`;
}

export interface Person {
  name: string;
  email: string;
}

export interface MeetingInvitation {
  id: string;
  /** The meeting's version: the SEQUENCE, so a move or a cancellation supersedes what was sent. */
  version: number;
  scheduledFor: Date;
  timeboxMinutes: number | null;
  /** The meeting's page. */
  url: string;
  organizer: Person;
  attendees: Person[];
}

export function build(
  events: EventAttributes[],
  header: { method: string; calName?: string },
): string {
  const { error, value } = createEvents(events, { productId: PRODUCT_ID, ...header });
  if (error || value === null) throw error ?? new Error("The calendar could not be made.");
  return value;
}

function instant(date: Date) {
  return {
    start: date.getTime(),
    startInputType: "utc" as const,
    startOutputType: "utc" as const,
  };
}

/** An invitation or its update (METHOD:REQUEST), or its cancellation (METHOD:CANCEL, STATUS:CANCELLED). */
export function meetingIcs(meeting: MeetingInvitation, method: "REQUEST" | "CANCEL"): string {
  return build(
    [
      {
        ...instant(meeting.scheduledFor),
        duration: { minutes: meeting.timeboxMinutes ?? DEFAULT_MEETING_MINUTES },
        uid: meetingUid(meeting.id),
        sequence: meeting.version,
        title: MEETING_SUMMARY,
        description: `Calibration meeting in Noseworthy: ${meeting.url}`,
        url: meeting.url,
        status: method === "CANCEL" ? "CANCELLED" : "CONFIRMED",
        busyStatus: method === "CANCEL" ? "FREE" : "BUSY",
        organizer: { name: meeting.organizer.name, email: meeting.organizer.email },
        attendees: meeting.attendees.map((a) => ({
          name: a.name,
          email: a.email,
          // Replies would reach the organiser's mailbox, not the app: nobody is asked for one.
          rsvp: false,
          role: a.email === meeting.organizer.email ? "CHAIR" : "REQ-PARTICIPANT",
          partstat: a.email === meeting.organizer.email ? "ACCEPTED" : "NEEDS-ACTION",
        })),
      },
    ],
    { method },
  );
}

/** One entry of a person's feed. */
export type FeedItem =
  | {
      kind: "meeting";
      id: string;
      version: number;
      scheduledFor: Date;
      timeboxMinutes: number | null;
      url: string;
    }
  | {
      kind: "day";
      /** Stable across changes of the date, so the calendar moves the entry instead of adding one. */
      uid: string;
      /** 'YYYY-MM-DD' */
      day: string;
      summary: string;
      url: string;
    };

export function dayArray(day: string): [number, number, number] {
  const [y, m, d] = day.split("-").map(Number);
  return [y, m, d];
}

export function nextDay(day: string): [number, number, number] {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

/** The feed: what is due to one person, as a calendar their calendar program subscribes to. */
export function feedIcs(items: readonly FeedItem[]): string {
  return build(
    items.map((item): EventAttributes =>
      item.kind === "meeting"
        ? {
            ...instant(item.scheduledFor),
            duration: { minutes: item.timeboxMinutes ?? DEFAULT_MEETING_MINUTES },
            uid: meetingUid(item.id),
            sequence: item.version,
            title: MEETING_SUMMARY,
            description: `Calibration meeting in Noseworthy: ${item.url}`,
            url: item.url,
          }
        : {
            start: dayArray(item.day),
            end: nextDay(item.day),
            uid: `${item.uid}@${UID_DOMAIN}`,
            title: item.summary,
            description: `${item.summary} in Noseworthy: ${item.url}`,
            url: item.url,
            transp: "TRANSPARENT",
          },
    ),
    { method: "PUBLISH", calName: "Noseworthy" },
  );
}

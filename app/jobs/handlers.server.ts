/**
 * What each kind of job does, and the recurring ones (decision 0019). A handler must be safe to run
 * twice: a job whose lease ran out (its process died) is run again.
 */
import type { DB } from "../../db/client";
import {
  CHECKIN_INVITATION_JOB,
  checkinInvitationJob,
} from "../calendar/checkin-invitations.server";
import { CALENDAR_INVITATIONS_JOB, calendarInvitationsJob } from "../calendar/invitations.server";
import { MAIL_SEND_JOB, mailSendJob } from "../mail/mail.server";
import {
  ACCOUNT_LINK_JOB,
  FORGOT_PASSWORD_JOB,
  accountLinkJob,
  forgotPasswordJob,
} from "../models/account-token.server";
import { digestScanJob } from "../notify/digest.server";
import { reminderScanJob } from "../notify/reminders.server";
import type { JobHandler, JobSchedule } from "./queue.server";

/** Done jobs are kept this long for the admin page, then deleted. */
export const KEEP_DONE_JOBS_DAYS = 30;

/** Deletes done jobs older than 30 days; pending, running and failed ones stay. */
export async function pruneDoneJobs(db: DB, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - KEEP_DONE_JOBS_DAYS * 86_400_000);
  const result = await db
    .deleteFrom("jobs")
    .where("status", "=", "done")
    .where("done_at", "<", cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export const jobHandlers: Record<string, JobHandler> = {
  "jobs.prune": async (ctx) => {
    await pruneDoneJobs(ctx.db, ctx.now());
  },
  [MAIL_SEND_JOB]: mailSendJob,
  "reminders.scan": reminderScanJob,
  "digest.scan": digestScanJob,
  [CALENDAR_INVITATIONS_JOB]: calendarInvitationsJob,
  [CHECKIN_INVITATION_JOB]: checkinInvitationJob,
  [FORGOT_PASSWORD_JOB]: forgotPasswordJob,
  [ACCOUNT_LINK_JOB]: accountLinkJob,
};

export const jobSchedules: JobSchedule[] = [
  { kind: "jobs.prune", everyMinutes: 24 * 60 },
  { kind: "reminders.scan", everyMinutes: 60 },
  { kind: "digest.scan", everyMinutes: 60 },
];

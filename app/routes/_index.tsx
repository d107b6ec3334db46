import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { seesPeopleData } from "../auth/policy.server";
import { requireUser } from "../auth/session.server";
import { getMyWeek, ROLE_CHANGE_DAYS } from "../models/my-week.server";
import { formatDate, isoDate } from "../utils/dates";
import { STAGE_LABELS } from "../utils/labels";
import type { ReactNode } from "react";

export const meta: MetaFunction = () => [{ title: "My week · Noseworthy" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(context, request);
  const today = isoDate(context.now());
  if (!seesPeopleData(user)) return json({ name: user.name, today, week: null });
  const week = await getMyWeek(context.db, { viewer: user, today });
  return json({
    name: user.name,
    today,
    week,
    roleChangeDays: ROLE_CHANGE_DAYS,
    isManager: user.roles.includes("manager"),
  });
}

/** One line of a section: the person (a link), what it is about, and a detail line below. */
function Item({
  to,
  name,
  title,
  detail,
  children,
}: {
  to: string;
  name: string;
  title?: string;
  detail?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <li className="py-2">
      <Link className="font-medium text-brand-700 underline" to={to}>
        {name}
      </Link>
      {title ? ` — ${title}` : null}
      {children}
      {detail ? <span className="block text-sm text-stone-600">{detail}</span> : null}
    </li>
  );
}

function Section({
  title,
  empty,
  children,
  count,
}: {
  title: string;
  empty: string;
  count: number;
  children: ReactNode;
}) {
  // aria-labelledby takes a list of ids separated by spaces, so the title cannot be the id.
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section className="rounded-lg border border-stone-200 bg-white p-4" aria-labelledby={id}>
      <h2 id={id} className="text-lg font-semibold">
        {title} <span className="text-sm font-normal text-stone-600">({count})</span>
      </h2>
      {count === 0 ? (
        <p className="mt-2 text-stone-600">{empty}</p>
      ) : (
        <ul className="mt-2 divide-y divide-stone-100">{children}</ul>
      )}
    </section>
  );
}

export default function MyWeek() {
  const data = useLoaderData<typeof loader>();
  const { name, today, week } = data;
  if (!week) {
    return (
      <div>
        <h1 className="text-2xl font-semibold">Welcome, {name}</h1>
        <p className="mt-2 max-w-prose text-stone-700">
          Your account administers Noseworthy. It sees no people data: manage{" "}
          <Link className="text-brand-700 underline" to="/admin/users">
            accounts and roles
          </Link>
          , the{" "}
          <Link className="text-brand-700 underline" to="/admin/framework">
            framework
          </Link>{" "}
          and read the{" "}
          <Link className="text-brand-700 underline" to="/admin/audit">
            audit log
          </Link>
          .
        </p>
      </div>
    );
  }
  const overdue = (day: string | null) => (day && day < today ? " · overdue" : "");
  return (
    <div>
      <h1 className="text-2xl font-semibold">My week</h1>
      <p className="mt-1 text-stone-600">
        {name}, here is what needs your attention in the seven days from {formatDate(today)}.
      </p>
      <div className="mt-6 grid gap-4 md:grid-cols-2">
        <Section
          title="Recent candidates"
          count={week.recent.length}
          empty="You have not written about anyone yet. Open a candidate from the Candidates page to note what you saw."
        >
          {week.recent.map((c) => (
            <Item
              key={c.id}
              to={`/candidates/${c.id}`}
              name={c.name}
              detail={
                <>
                  {STAGE_LABELS[c.stage] ?? c.stage} · your last activity{" "}
                  {formatDate(c.last_activity_at)}
                </>
              }
            />
          ))}
        </Section>
        <Section
          title="Sniff tests due"
          count={week.assignments.length}
          empty="No sniff tests are due in the next seven days."
        >
          {week.assignments.map((a) => (
            <Item
              key={a.id}
              to={`/candidates/${a.candidate_id}`}
              name={a.candidate_name}
              title={a.title}
              detail={
                <>
                  {a.status}, due {formatDate(a.due_on)}
                  {overdue(a.due_on)}
                </>
              }
            />
          ))}
        </Section>
        <Section
          title="Flags not yet discussed"
          count={week.flags.length}
          empty="Every open flag you raised or manage has been discussed with the person."
        >
          {week.flags.map((f) => (
            <Item
              key={f.id}
              to={`/candidates/${f.candidate_id}`}
              name={f.candidate_name}
              title={f.anti_pattern}
              detail={<>observed {formatDate(f.observed_on)}</>}
            />
          ))}
        </Section>
        <Section
          title="Coaching actions due"
          count={week.actions.length}
          empty="No coaching actions are due for your mentees."
        >
          {week.actions.map((a) => (
            <Item
              key={a.id}
              to={`/coaching/${a.plan_id}`}
              name={a.candidate_name}
              title={a.title}
              detail={
                <>
                  due {formatDate(a.due_on)}
                  {overdue(a.due_on)}
                </>
              }
            />
          ))}
        </Section>
        <Section
          title="Check-ins due"
          count={week.checkins.length}
          empty="No check-in is planned for the next seven days."
        >
          {week.checkins.map((c) => (
            <Item
              key={c.id}
              to={`/coaching/${c.id}`}
              name={c.candidate_name}
              detail={
                <>
                  {c.last_held_on
                    ? `last check-in ${formatDate(c.last_held_on)}`
                    : "no check-in yet"}
                  {c.next_on ? `, next planned ${formatDate(c.next_on)}` : ""}
                </>
              }
            />
          ))}
        </Section>
        <Section
          title="Coaching nudges"
          count={week.coachingNudges.length}
          empty="Your coaching plans are on track: recent check-ins, no overdue actions, no target passed."
        >
          {week.coachingNudges.map((p) => (
            <Item key={p.planId} to={`/coaching/${p.planId}`} name={p.candidateName}>
              <ul className="text-sm text-amber-900">
                {p.nudges.map((n) => (
                  <li key={n.kind}>{n.text}</li>
                ))}
              </ul>
            </Item>
          ))}
        </Section>
        <Section
          title="Next calibration"
          count={week.meeting ? 1 : 0}
          empty="You are not attending an upcoming calibration meeting."
        >
          {week.meeting ? (
            <li className="py-2">
              <Link
                className="font-medium text-brand-700 underline"
                to={`/calibrations/${week.meeting.id}`}
              >
                {week.meeting.title}
              </Link>
              <span className="block text-sm text-stone-600">
                {formatDate(week.meeting.scheduled_for)}
              </span>
            </li>
          ) : null}
        </Section>
        <Section
          title="Calibration pre-reads"
          count={week.prereads.length}
          empty="No calibration meeting you attend is waiting to start, so there is nothing to pre-read."
        >
          {week.prereads.map((m) => (
            <li key={m.id} className="py-2">
              <Link className="font-medium text-brand-700 underline" to={`/calibrations/${m.id}`}>
                {m.title}
              </Link>
              <span className="block text-sm text-stone-600">{formatDate(m.scheduled_for)}</span>
              {m.items.length === 0 ? (
                <p className="text-sm text-stone-600">
                  No candidates on the agenda yet: their packets appear here once the facilitator
                  adds them.
                </p>
              ) : (
                <ul className="mt-1 space-y-1 text-sm">
                  {m.items.map((i) => (
                    <li key={i.id}>
                      <Link
                        className="text-brand-700 underline"
                        to={`/calibrations/${m.id}/items/${i.id}`}
                      >
                        {i.candidate_name}
                      </Link>
                      {i.has_own_preread ? (
                        <span className="text-stone-600"> · your pre-read is written</span>
                      ) : (
                        <span className="text-amber-900">
                          {" "}
                          · read the packet and write your pre-read
                        </span>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </Section>
        {"roleChangeDays" in data && (data.isManager || week.handovers.length) ? (
          <Section
            title="Mentor handovers"
            count={week.handovers.length}
            empty={`No plan of your candidates was handed to another mentor by someone else in the last ${data.roleChangeDays} days.`}
          >
            {week.handovers.map((h) => (
              <Item
                key={h.id}
                to={`/coaching/${h.planId}`}
                name={h.candidateName}
                detail={
                  <>
                    {formatDate(h.changedOn)}
                    {h.reason ? ` · “${h.reason}”` : ""}
                  </>
                }
              >
                ’s plan was handed from {h.fromMentorName} to {h.toMentorName} by {h.changedByName}
              </Item>
            ))}
          </Section>
        ) : null}
        {week.roleChanges && "roleChangeDays" in data ? (
          <Section
            title="Role changes"
            count={week.roleChanges.length}
            empty={`Nobody was given or lost a leader, manager or mentor role in the last ${data.roleChangeDays} days.`}
          >
            {week.roleChanges.map((c) => (
              <li key={c.id} className="py-2">
                {roleChangeText(c)}
                <span className="block text-sm text-stone-600">{formatDate(c.at)}</span>
              </li>
            ))}
          </Section>
        ) : null}
      </div>
    </div>
  );
}

type RoleChangeLine = {
  action: string;
  actorName: string;
  targetName: string;
  added: string[];
  removed: string[];
  held: string[];
};

const roleList = (roles: string[]) => `${roles.join(" and ")} role${roles.length > 1 ? "s" : ""}`;

/** One sentence per change: who gave whom access to people data. */
function roleChangeText(c: RoleChangeLine): string {
  if (c.action === "user.create")
    return `${c.actorName} created an account for ${c.targetName} with the ${roleList(c.added)}.`;
  if (c.action === "user.password_reset")
    return `${c.actorName} reset the password of ${c.targetName} (${c.held.join(", ")}).`;
  if (c.action === "user.enable")
    return `${c.actorName} enabled the account of ${c.targetName} (${c.held.join(", ")}).`;
  const parts = [
    c.added.length ? `gave ${c.targetName} the ${roleList(c.added)}` : null,
    c.removed.length ? `took the ${roleList(c.removed)} from ${c.targetName}` : null,
  ];
  return `${c.actorName} ${parts.filter(Boolean).join(" and ")}.`;
}

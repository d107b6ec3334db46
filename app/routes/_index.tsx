import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { MyWeekNominations } from "../components/my-week-nominations";
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

/** A titled list of the week's items, with how many there are, or `empty` when there are none. */
function Section<T>({
  title,
  empty,
  items,
  children,
}: {
  title: string;
  empty: string;
  items: readonly T[];
  /** One item's line (an <li> with its key). */
  children: (item: T) => ReactNode;
}) {
  // aria-labelledby takes a list of ids separated by spaces, so the title cannot be the id.
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section className="rounded-lg border border-stone-200 bg-white p-4" aria-labelledby={id}>
      <h2 id={id} className="text-lg font-semibold">
        {title} <span className="text-sm font-normal text-stone-600">({items.length})</span>
      </h2>
      {items.length === 0 ? (
        <p className="mt-2 text-stone-600">{empty}</p>
      ) : (
        <ul className="mt-2 divide-y divide-stone-100">{items.map((item) => children(item))}</ul>
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
  const due = (day: string | null) =>
    `due ${formatDate(day)}${day && day < today ? " · overdue" : ""}`;
  return (
    <div>
      <h1 className="text-2xl font-semibold">My week</h1>
      <p className="mt-1 text-stone-600">
        {name}, here is what needs your attention in the seven days from {formatDate(today)}.
      </p>
      <div className="mt-6 grid gap-4 md:grid-cols-2">
        {"roleChangeDays" in data && data.isManager ? (
          <MyWeekNominations nominations={week.nominations} />
        ) : null}
        <Section
          title="Recent candidates"
          items={week.recent}
          empty="You have not written about anyone yet. Open a candidate from the Candidates page to note what you saw."
        >
          {(c) => (
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
          )}
        </Section>
        <Section
          title="Sniff tests due"
          items={week.assignments}
          empty="No sniff tests are due in the next seven days."
        >
          {(a) => (
            <Item
              key={a.id}
              to={
                a.candidate_id
                  ? `/candidates/${a.candidate_id}`
                  : `/sniff-tests/${a.sniff_test_id}/offerings/${a.offering_id}`
              }
              name={a.candidate_name}
              title={a.title}
              detail={`${a.status}, ${due(a.due_on)}`}
            />
          )}
        </Section>
        <Section
          title="Flags not yet discussed"
          items={week.flags}
          empty="Every open flag you raised or manage has been discussed with the person."
        >
          {(f) => (
            <Item
              key={f.id}
              to={`/candidates/${f.candidate_id}`}
              name={f.candidate_name}
              title={f.anti_pattern}
              detail={<>observed {formatDate(f.observed_on)}</>}
            />
          )}
        </Section>
        <Section
          title="Coaching actions due"
          items={week.actions}
          empty="No coaching actions are due for your mentees."
        >
          {(a) => (
            <Item
              key={a.id}
              to={`/coaching/${a.plan_id}`}
              name={a.candidate_name}
              title={a.title}
              detail={due(a.due_on)}
            />
          )}
        </Section>
        <Section
          title="Check-ins due"
          items={week.checkins}
          empty="No check-in is planned for the next seven days."
        >
          {(c) => (
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
          )}
        </Section>
        <Section
          title="Coaching nudges"
          items={week.coachingNudges}
          empty="Your coaching plans are on track: recent check-ins, no overdue actions, no target passed."
        >
          {(p) => (
            <Item key={p.planId} to={`/coaching/${p.planId}`} name={p.candidateName}>
              <ul className="text-sm text-amber-900">
                {p.nudges.map((n) => (
                  <li key={n.kind}>{n.text}</li>
                ))}
              </ul>
            </Item>
          )}
        </Section>
        <Section
          title="Next calibration"
          items={week.meeting ? [week.meeting] : []}
          empty="You are not attending an upcoming calibration meeting."
        >
          {(meeting) => (
            <li key={meeting.id} className="py-2">
              <Link
                className="font-medium text-brand-700 underline"
                to={`/calibrations/${meeting.id}`}
              >
                {meeting.title}
              </Link>
              <span className="block text-sm text-stone-600">
                {formatDate(meeting.scheduled_for)}
              </span>
            </li>
          )}
        </Section>
        <Section
          title="Calibration pre-reads"
          items={week.prereads}
          empty="No calibration meeting you attend is waiting to start, so there is nothing to pre-read."
        >
          {(m) => (
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
          )}
        </Section>
        {"roleChangeDays" in data && (data.isManager || week.handovers.length) ? (
          <Section
            title="Mentor handovers"
            items={week.handovers}
            empty={`No plan of your candidates was handed to another mentor by someone else in the last ${data.roleChangeDays} days.`}
          >
            {(h) => (
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
            )}
          </Section>
        ) : null}
        {week.roleChanges && "roleChangeDays" in data ? (
          <Section
            title="Role changes"
            items={week.roleChanges}
            empty={`Nobody was given or lost a leader, manager or mentor role in the last ${data.roleChangeDays} days.`}
          >
            {(c) => (
              <li key={c.id} className="py-2">
                {roleChangeText(c)}
                <span className="block text-sm text-stone-600">{formatDate(c.at)}</span>
              </li>
            )}
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

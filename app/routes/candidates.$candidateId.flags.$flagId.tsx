import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Link } from "../components/ui/link";
import type { ReactNode } from "react";
import type { FlagStatus } from "../../db/schema";
import {
  denyAsForbidden,
  denyAsNotFound,
  isLeader,
  isUuid,
  requireCandidateAccess,
} from "../auth/policy.server";
import { requireUser, type SessionUser } from "../auth/session.server";
import { Button, FormError, TextArea, PastDayField } from "../components/ui/forms";
import { useWritingNotes, WritingNotes } from "../components/writing-notes";
import { ConfirmButton } from "../components/ui/confirm";
import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import {
  FlagActionSchema,
  getFlag,
  listFlagEvents,
  recordFlagDiscussed,
  setFlagStatus,
} from "../models/flag.server";
import { FLAG_STATUS_LABELS } from "../utils/labels";
import { canMoveFlag } from "../utils/lifecycle";
import { formatDate, isoDate } from "../utils/dates";
import { useFormResult, detailOf } from "../utils/form-result";
import {
  badRequest,
  type FormFailure,
  formValues,
  invalid,
  parseForm,
  type Values,
  invalidWith,
} from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import {
  checkWriting,
  writingCheckResponse,
  writingCheckSeen,
} from "../utils/writing-check.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: `${data ? `${data.flag.anti_pattern_name} · ${data.candidate.name}` : "Flag"} · Noseworthy`,
  },
];

type Flag = NonNullable<Awaited<ReturnType<typeof getFlag>>>;
type Access = Awaited<ReturnType<typeof requireCandidateAccess>>;

async function requireFlag(
  context: AppContext,
  user: SessionUser,
  candidateId: string,
  flagId: string | undefined,
) {
  const flag = isUuid(flagId) ? await getFlag(context.db, { candidateId, flagId }) : undefined;
  if (!flag) throw await denyAsNotFound(context, user, "flag", flagId);
  return flag;
}

/** Any circle member may raise and record "discussed"; closing and reopening is for the raiser, the manager or a leader. */
function maySetStatus(user: SessionUser, candidate: Access, flag: Flag) {
  return flag.raised_by === user.id || candidate.manager_id === user.id || isLeader(user);
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(context, request);
  const candidate = await requireCandidateAccess(context, user, params.candidateId);
  const flag = await requireFlag(context, user, candidate.id, params.flagId);
  const name = candidate.name;
  const events = await listFlagEvents(context.db, { flagId: flag.id });
  return json({
    candidate: { id: candidate.id, name },
    flag,
    events,
    today: isoDate(context.now()),
    maySetStatus: maySetStatus(user, candidate, flag),
  });
}

const TARGET = { resolve: "resolved", dismiss: "dismissed", reopen: "open" } as const;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(context, request);
  const candidate = await requireCandidateAccess(context, user, params.candidateId);
  const flag = await requireFlag(context, user, candidate.id, params.flagId);
  const formData = await request.formData();
  const values = formValues(formData);
  const intent = values.intent;
  if (
    (intent === "resolve" || intent === "dismiss" || intent === "reopen") &&
    !maySetStatus(user, candidate, flag)
  ) {
    throw await denyAsForbidden(context, user, `flag.${intent}`, "flag", flag.id);
  }
  const today = isoDate(context.now());
  const parsed = parseForm(FlagActionSchema(today), formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  if (input.version !== flag.version) return stale(flag, values);
  if (!writingCheckSeen(values)) {
    const notes = await checkWriting(context.db, [
      { name: "note", label: "Note", text: input.note ?? "" },
    ]);
    if (notes.length) return writingCheckResponse(values, notes);
  }
  const base = {
    actorId: user.id,
    entity: "flag",
    entityId: flag.id,
    requestId: context.requestId,
  };
  const here = `/candidates/${candidate.id}/flags/${flag.id}`;

  if (input.intent === "discussed") {
    if (input.discussedOn < flag.observed_on) {
      return invalid(values, {
        discussedOn: ["The conversation cannot be before the day the behaviour was seen."],
      });
    }
    const result = await context.db.transaction().execute(async (trx) => {
      const done = await recordFlagDiscussed(trx, {
        flagId: flag.id,
        version: input.version,
        discussedOn: input.discussedOn,
        note: input.note,
        actorId: user.id,
      });
      if (done !== "stale")
        await audit(trx, {
          ...base,
          action: "flag.discussed",
          details: { candidateId: candidate.id, discussedOn: input.discussedOn },
        });
      return done;
    });
    if (result === "stale") return stale(flag, values, context);
    return redirectWithFlash(here, "Recorded that you discussed it with them.");
  }

  const to = TARGET[input.intent];
  if (!canMoveFlag(flag.status, to)) {
    return badRequest(
      `A flag that is ${flag.status} cannot be ${to === "open" ? "reopened" : to}.`,
      values,
    );
  }
  const result = await context.db.transaction().execute(async (trx) => {
    const done = await setFlagStatus(trx, {
      flagId: flag.id,
      version: input.version,
      from: flag.status,
      to,
      note: input.note,
      actorId: user.id,
      now: context.now(),
    });
    if (done !== "stale") {
      await audit(trx, {
        ...base,
        action: `flag.${input.intent}`,
        details: { candidateId: candidate.id, from: flag.status, to },
      });
    }
    return done;
  });
  if (result === "stale") return stale(flag, values, context);
  // No status in the flash cookie: whether a person's flag was resolved or dismissed is a fact about them.
  return redirectWithFlash(here, "Flag updated.");
}

/** 409 with the user's input kept and the flag as it is now saved. */
async function stale(flag: Flag, values: Values, context?: AppContext) {
  const saved = context
    ? ((await getFlag(context.db, { candidateId: flag.candidate_id, flagId: flag.id })) ?? flag)
    : flag;
  const failure: FormFailure = {
    ok: false,
    formError:
      "This flag was changed after you opened it. Nothing was saved: check its current state below and submit again.",
    fieldErrors: {},
    values: { ...values, version: String(saved.version) },
  };
  return invalidWith(failure, { conflict: { saved } });
}

// The flag's own page says where it is being addressed.
const STATUS_LABEL: Record<string, string> = {
  ...FLAG_STATUS_LABELS,
  addressing: "Being addressed in a coaching plan",
};

function eventText(e: {
  kind: string;
  from_status: string | null;
  to_status: string | null;
}): string {
  if (e.kind === "raised") return "Raised";
  if (e.kind === "discussed") return "Discussed with the person";
  const to = e.to_status as FlagStatus | null;
  if (to === "open") return "Reopened";
  return `${STATUS_LABEL[(e.from_status as FlagStatus) ?? "open"]} → ${to ? STATUS_LABEL[to] : ""}`;
}

function Panel({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="rounded-lg border border-stone-200 bg-white p-4" aria-label={title}>
      <h2 className="font-semibold">{title}</h2>
      <div className="mt-3">{children}</div>
    </section>
  );
}

/** A form about this flag, sent with the version it was shown at (the resolve form's buttons carry the intent). */
function FlagForm({
  action,
  intent,
  version,
  children,
}: {
  action: string;
  intent?: string;
  version: string;
  children: ReactNode;
}) {
  return (
    <Form method="post" action={action} className="space-y-3" noValidate>
      {intent ? <input type="hidden" name="intent" value={intent} /> : null}
      <input type="hidden" name="version" value={version} />
      {children}
    </Form>
  );
}

/** The note a change to the flag carries (at most 2,000 characters). */
function NoteField({
  label,
  value,
  errors,
  required = false,
  rows = 2,
  hint,
}: {
  label: string;
  value: string;
  errors?: string[];
  required?: boolean;
  rows?: number;
  hint?: string;
}) {
  return (
    <TextArea
      label={label}
      name="note"
      required={required}
      rows={rows}
      maxLength={2000}
      hint={hint}
      defaultValue={value}
      errors={errors}
    />
  );
}

export default function FlagPage() {
  const { candidate, flag, events, today, maySetStatus: mayClose } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const result = useFormResult();
  const writing = useWritingNotes();
  const discussed = useFormResult("discussed");
  const resolve = useFormResult("resolve");
  const dismiss = useFormResult("dismiss");
  const reopen = useFormResult("reopen");
  const current = detailOf(data, "conflict")?.saved ?? flag;
  const version = String(current.version);
  const closed = current.status === "resolved" || current.status === "dismissed";
  const here = `/candidates/${candidate.id}/flags/${flag.id}`;

  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <p className="text-sm">
        <Link to={`/candidates/${candidate.id}`} className="text-brand-700 underline">
          ← {candidate.name}
        </Link>
      </p>
      <header>
        <h1 className="text-2xl font-semibold">
          Flag: {flag.anti_pattern_name} — {candidate.name}
        </h1>
        <p className="mt-1 text-stone-600">
          Raised by {flag.raised_by_name} · seen on {formatDate(flag.observed_on)} ·{" "}
          <strong>{STATUS_LABEL[current.status]}</strong>
        </p>
        <p className="mt-1 text-sm text-stone-600">
          {current.discussed_with_candidate_on
            ? `Discussed with ${candidate.name} on ${formatDate(current.discussed_with_candidate_on)}.`
            : `Not yet discussed with ${candidate.name}: talk it through with them, then record it below.`}
        </p>
      </header>

      {writing.notes.length ? (
        <WritingNotes notes={writing.notes} action={here} />
      ) : (
        <FormError message={result.summary} />
      )}

      <section
        className="rounded-lg border border-stone-200 bg-white p-4"
        aria-label="What was seen"
      >
        {flag.anti_pattern_description ? (
          <p className="text-sm text-stone-600">{flag.anti_pattern_description}</p>
        ) : null}
        <dl className="mt-3 space-y-3">
          {[
            ["Situation", flag.situation],
            ["Behaviour", flag.behavior],
            ["Impact", flag.impact],
          ].map(([label, text]) => (
            <div key={label}>
              <dt className="text-sm font-medium text-stone-600">{label}</dt>
              <dd className="whitespace-pre-wrap">
                {text || <span className="text-stone-600">Not recorded</span>}
              </dd>
            </div>
          ))}
        </dl>
        {closed ? (
          <p className="mt-3 rounded bg-stone-100 p-3 text-sm">
            {STATUS_LABEL[current.status]} by {current.resolved_by_name} on{" "}
            {formatDate(current.resolved_at)}:{" "}
            <span className="whitespace-pre-wrap">{current.resolution}</span>
          </p>
        ) : null}
      </section>

      <div className="grid gap-4 md:grid-cols-2">
        <Panel title="Discussed with the person">
          <FlagForm action={here} intent="discussed" version={version}>
            <PastDayField
              label="Discussed on"
              name="discussedOn"
              form={discussed}
              today={today}
              min={flag.observed_on}
            />
            <NoteField
              label="Note (optional)"
              value={discussed.value("note")}
              errors={discussed.errors.note}
            />
            <Button variant="secondary">Record conversation</Button>
          </FlagForm>
        </Panel>

        {mayClose && !closed ? (
          <Panel title="Resolve or dismiss">
            <FlagForm action={here} version={version}>
              <NoteField
                label="Note"
                required
                rows={3}
                hint="Required: what changed, or why the flag does not hold."
                value={resolve.value("note") || dismiss.value("note")}
                errors={resolve.errors.note ?? dismiss.errors.note}
              />
              <div className="flex flex-wrap gap-2">
                <Button name="intent" value="resolve">
                  Resolve
                </Button>
                <ConfirmButton
                  variant="secondary"
                  name="intent"
                  value="dismiss"
                  label="Dismiss"
                  confirmLabel="Yes, dismiss the flag"
                  question="Dismissing says the flag does not hold. It stays in the record with your note."
                />
              </div>
            </FlagForm>
          </Panel>
        ) : null}

        {mayClose && closed ? (
          <Panel title="Reopen">
            <FlagForm action={here} intent="reopen" version={version}>
              <NoteField
                label="Why reopen it? (optional)"
                value={reopen.value("note")}
                errors={reopen.errors.note}
              />
              <Button variant="secondary">Reopen flag</Button>
            </FlagForm>
          </Panel>
        ) : null}
      </div>

      <section aria-labelledby="events-heading">
        <h2 id="events-heading" className="text-lg font-semibold">
          History
        </h2>
        <ol className="mt-2 divide-y divide-stone-100 rounded-lg border border-stone-200 bg-white">
          {events.map((e) => (
            <li key={e.id} className="p-3">
              <p className="text-sm">
                <span className="font-medium">{eventText(e)}</span>{" "}
                <span className="text-stone-600">
                  by {e.changed_by_name} on {formatDate(e.created_at)}
                </span>
              </p>
              {e.note ? (
                <p className="mt-1 whitespace-pre-wrap text-sm text-stone-700">{e.note}</p>
              ) : null}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

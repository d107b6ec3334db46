import type {
  ActionFunctionArgs,
  LoaderFunctionArgs,
  MetaFunction,
  SerializeFrom,
} from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { isUuid, requireRole } from "../auth/policy.server";
import { type SessionUser } from "../auth/session.server";
import { Button, FormError, TextArea, TextField } from "../components/ui/forms";
import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import {
  createFrameworkItem,
  FRAMEWORK_KINDS,
  type FrameworkKind,
  getFrameworkItem,
  getFrameworkItemByKey,
  keyFromName,
  listAntiPatterns,
  listDimensions,
  moveFrameworkItem,
  setFrameworkItemArchived,
  updateFrameworkItem,
} from "../models/framework.server";
import { type FormResult, useFormResult } from "../utils/form-result";
import { badRequest, formValues, parseForm, type Values } from "../utils/forms.server";
import { notFound, redirectWithFlash } from "../utils/http.server";

export const meta: MetaFunction = () => [{ title: "Framework · Noseworthy" }];

const Kind = z.enum(FRAMEWORK_KINDS);
const Name = z
  .string()
  .trim()
  .min(1, { error: "Enter a name.", abort: true })
  .max(120, "Use at most 120 characters.")
  .refine((name) => keyFromName(name) !== "", "Use at least one letter in the name.");
const Description = z
  .string()
  .trim()
  .max(2000, "Use at most 2,000 characters.")
  .optional()
  .default("");

const FrameworkActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), kind: Kind, name: Name, description: Description }),
  z.object({
    intent: z.literal("update"),
    kind: Kind,
    id: z.string(),
    name: Name,
    description: Description,
  }),
  z.object({
    intent: z.literal("move"),
    kind: Kind,
    id: z.string(),
    direction: z.enum(["up", "down"]),
  }),
  z.object({ intent: z.literal("archive"), kind: Kind, id: z.string() }),
  z.object({ intent: z.literal("restore"), kind: Kind, id: z.string() }),
]);
type FrameworkAction = z.infer<typeof FrameworkActionSchema>;

const LABEL: Record<FrameworkKind, string> = {
  dimension: "dimension",
  anti_pattern: "anti-pattern",
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ["admin"]);
  const [dimensions, antiPatterns] = await Promise.all([
    listDimensions(context.db, { includeArchived: true }),
    listAntiPatterns(context.db, { includeArchived: true }),
  ]);
  return json({ dimensions, antiPatterns });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(context, request, ["admin"]);
  const formData = await request.formData();
  const parsed = parseForm(FrameworkActionSchema, formData);
  if (!parsed.ok) return parsed.response;
  if ("id" in parsed.data && !isUuid(parsed.data.id)) throw notFound();
  return applyFrameworkAction(context, admin, parsed.data, formValues(formData));
}

async function applyFrameworkAction(
  context: AppContext,
  admin: SessionUser,
  input: FrameworkAction,
  values: Values,
) {
  const { kind } = input;
  const label = LABEL[kind];
  const here = "/admin/framework";
  const base = { actorId: admin.id, entity: kind, requestId: context.requestId };

  if (input.intent === "create") {
    const key = keyFromName(input.name);
    const taken = async () => {
      const existing = await getFrameworkItemByKey(context.db, { kind, key });
      const message = existing?.archived_at
        ? `An archived ${label} already uses this name (“${existing.name}”): restore it instead.`
        : `A ${label} with this name already exists.`;
      return badRequest("", values, { name: [message] });
    };
    if (await getFrameworkItemByKey(context.db, { kind, key })) return taken();
    const created = await context.db.transaction().execute(async (trx) => {
      const row = await createFrameworkItem(trx, {
        kind,
        name: input.name,
        description: input.description,
      });
      if (row)
        await audit(trx, {
          ...base,
          action: "framework.create",
          entityId: row.id,
          details: { key: row.key },
        });
      return row;
    });
    if (!created) return taken();
    return redirectWithFlash(here, `Added the ${label} “${input.name}”.`);
  }

  if (input.intent === "update") {
    const current = await getFrameworkItem(context.db, { kind, id: input.id });
    if (!current) throw notFound();
    const fields = [
      input.name !== current.name ? "name" : null,
      input.description !== current.description ? "description" : null,
    ].filter((f): f is string => f !== null);
    if (!fields.length) return redirectWithFlash(here, "No changes to save.");
    await context.db.transaction().execute(async (trx) => {
      const row = await updateFrameworkItem(trx, {
        kind,
        id: input.id,
        name: input.name,
        description: input.description,
      });
      if (!row) throw notFound();
      await audit(trx, {
        ...base,
        action: "framework.update",
        entityId: row.id,
        details: { key: row.key, fields },
      });
    });
    return redirectWithFlash(here, `Saved the ${label} “${input.name}”.`);
  }

  if (input.intent === "move") {
    const { id, direction } = input;
    const result = await context.db.transaction().execute(async (trx) => {
      const moved = await moveFrameworkItem(trx, { kind, id, direction });
      if (moved === "moved")
        await audit(trx, {
          ...base,
          action: "framework.move",
          entityId: id,
          details: { direction },
        });
      return moved;
    });
    if (result === "not_found") throw notFound();
    if (result === "edge")
      return redirectWithFlash(
        here,
        `That ${label} is already ${direction === "up" ? "first" : "last"}.`,
      );
    return redirectWithFlash(here, `Moved the ${label} ${direction}.`);
  }

  const archived = input.intent === "archive";
  const row = await context.db.transaction().execute(async (trx) => {
    const before = await getFrameworkItem(trx, { kind, id: input.id });
    const after = await setFrameworkItemArchived(trx, {
      kind,
      id: input.id,
      archived,
      now: context.now(),
    });
    if (before && after && Boolean(before.archived_at) !== archived) {
      await audit(trx, {
        ...base,
        action: archived ? "framework.archive" : "framework.restore",
        entityId: after.id,
        details: { key: after.key },
      });
    }
    return before;
  });
  if (!row) throw notFound();
  return redirectWithFlash(
    here,
    archived
      ? `Archived the ${label} “${row.name}”. Existing records keep it; new ones cannot choose it.`
      : `Restored the ${label} “${row.name}” to the end of the list.`,
  );
}

type Item = SerializeFrom<typeof loader>["dimensions"][number];

/** The refusal, when it was for this kind's form (and this item's, given an id). */
function refusedFor(result: FormResult, kind: FrameworkKind, id?: string): FormResult | undefined {
  return result.failed &&
    result.value("kind") === kind &&
    (id === undefined || result.value("id") === id)
    ? result
    : undefined;
}

function ItemRow({
  kind,
  item,
  first,
  last,
  result,
}: {
  kind: FrameworkKind;
  item: Item;
  first: boolean;
  last: boolean;
  result?: FormResult;
}) {
  const navigation = useNavigation();
  const pending = navigation.state !== "idle" && navigation.formData?.get("id") === item.id;
  return (
    <li className="p-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 flex-1">
          <p className="font-medium">
            {item.name} <span className="ml-1 font-mono text-xs text-stone-600">{item.key}</span>
          </p>
          {item.description ? (
            <p className="mt-1 max-w-prose text-sm text-stone-700">{item.description}</p>
          ) : (
            <p className="mt-1 text-sm italic text-stone-600">No description yet.</p>
          )}
        </div>
        <div className="flex flex-wrap gap-2">
          <Form method="post" className="flex gap-2">
            <input type="hidden" name="intent" value="move" />
            <input type="hidden" name="kind" value={kind} />
            <input type="hidden" name="id" value={item.id} />
            <Button
              variant="secondary"
              name="direction"
              value="up"
              disabled={first || pending}
              className="px-3 py-1"
            >
              Move up<span className="sr-only"> {item.name}</span>
            </Button>
            <Button
              variant="secondary"
              name="direction"
              value="down"
              disabled={last || pending}
              className="px-3 py-1"
            >
              Move down<span className="sr-only"> {item.name}</span>
            </Button>
          </Form>
          <Form method="post">
            <input type="hidden" name="intent" value="archive" />
            <input type="hidden" name="kind" value={kind} />
            <input type="hidden" name="id" value={item.id} />
            <Button variant="secondary" disabled={pending} className="px-3 py-1">
              Archive<span className="sr-only"> {item.name}</span>
            </Button>
          </Form>
        </div>
      </div>
      <details className="mt-2" open={Boolean(result)}>
        <summary className="cursor-pointer text-sm text-brand-700 underline">
          Edit<span className="sr-only"> {item.name}</span>
        </summary>
        <Form method="post" className="mt-3 max-w-xl space-y-3" noValidate>
          <input type="hidden" name="intent" value="update" />
          <input type="hidden" name="kind" value={kind} />
          <input type="hidden" name="id" value={item.id} />
          <FormError message={result?.formError} />
          <TextField
            label="Name"
            name="name"
            required
            maxLength={120}
            defaultValue={result?.value("name", item.name) ?? item.name}
            errors={result?.errors.name}
          />
          <TextArea
            label="Description"
            name="description"
            maxLength={2000}
            defaultValue={result?.value("description", item.description) ?? item.description}
            errors={result?.errors.description}
          />
          <Button>Save</Button>
        </Form>
      </details>
    </li>
  );
}

function FrameworkSection({
  kind,
  title,
  intro,
  items,
}: {
  kind: FrameworkKind;
  title: string;
  intro: string;
  items: Item[];
}) {
  const navigation = useNavigation();
  const label = LABEL[kind];
  const active = items.filter((i) => !i.archived_at);
  const archived = items.filter((i) => i.archived_at);
  const create = refusedFor(useFormResult("create"), kind);
  const update = useFormResult("update");
  const creating =
    navigation.state === "submitting" &&
    navigation.formData?.get("intent") === "create" &&
    navigation.formData?.get("kind") === kind;
  const headingId = `${kind}-heading`;

  return (
    <section aria-labelledby={headingId} className="mt-8">
      <h2 id={headingId} className="text-xl font-semibold">
        {title}
      </h2>
      <p className="mt-1 max-w-prose text-stone-600">{intro}</p>
      {active.length ? (
        <ol className="mt-3 divide-y divide-stone-100 rounded-lg border border-stone-200 bg-white">
          {active.map((item, i) => (
            <ItemRow
              key={item.id}
              kind={kind}
              item={item}
              first={i === 0}
              last={i === active.length - 1}
              result={refusedFor(update, kind, item.id)}
            />
          ))}
        </ol>
      ) : (
        <p className="mt-3 rounded-lg border border-dashed border-stone-300 p-4 text-stone-600">
          No active {label}s. Add one below.
        </p>
      )}

      {archived.length ? (
        <div className="mt-4">
          <h3 className="font-semibold">Archived {label}s</h3>
          <p className="text-sm text-stone-600">
            Kept on the records that use them; not offered for new ones.
          </p>
          <ul className="mt-2 divide-y divide-stone-100 rounded-lg border border-stone-200 bg-stone-100">
            {archived.map((item) => (
              <li
                key={item.id}
                className="flex flex-wrap items-center justify-between gap-2 px-4 py-2"
              >
                <span>
                  {item.name}{" "}
                  <span className="ml-1 font-mono text-xs text-stone-600">{item.key}</span>
                </span>
                <Form method="post">
                  <input type="hidden" name="intent" value="restore" />
                  <input type="hidden" name="kind" value={kind} />
                  <input type="hidden" name="id" value={item.id} />
                  <Button variant="secondary" className="px-3 py-1">
                    Restore<span className="sr-only"> {item.name}</span>
                  </Button>
                </Form>
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <Form
        method="post"
        className="mt-4 max-w-xl space-y-3 rounded-lg border border-stone-200 bg-white p-4"
        noValidate
      >
        <h3 className="font-semibold">
          Add {label === "anti-pattern" ? "an" : "a"} {label}
        </h3>
        <input type="hidden" name="intent" value="create" />
        <input type="hidden" name="kind" value={kind} />
        <FormError message={create?.formError} />
        <TextField
          label={`Name of the new ${label}`}
          name="name"
          required
          maxLength={120}
          defaultValue={create?.value("name") ?? ""}
          errors={create?.errors.name}
        />
        <TextArea
          label={`Description of the new ${label}`}
          name="description"
          maxLength={2000}
          defaultValue={create?.value("description") ?? ""}
          errors={create?.errors.description}
        />
        <Button disabled={creating}>{creating ? "Adding…" : `Add ${label}`}</Button>
      </Form>
    </section>
  );
}

export default function AdminFramework() {
  const { dimensions, antiPatterns } = useLoaderData<typeof loader>();
  const result = useFormResult();
  const unplaced = result.failed && !result.value("kind");
  return (
    <div>
      <h1 className="text-2xl font-semibold">Framework</h1>
      <p className="mt-1 max-w-prose text-stone-600">
        The dimensions people observe and the anti-patterns they flag. Items in use are archived,
        never deleted, so past evidence keeps its meaning. The order here is the order forms offer
        them.
      </p>
      {unplaced ? (
        <FormError message="That request was not understood. Reload the page and try again." />
      ) : null}
      <FrameworkSection
        kind="dimension"
        title="Dimensions"
        intro="What sniff tests and observations are about."
        items={dimensions}
      />
      <FrameworkSection
        kind="anti_pattern"
        title="Anti-patterns"
        intro="Behaviours worth flagging and discussing with the person."
        items={antiPatterns}
      />
    </div>
  );
}

/**
 * The writing check (issue 22, mechanism 5): whole words and phrases in any case, a missing impact, the
 * admin's stored list (versioned, audited with a count only), and the form convention's 400.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import {
  checkWriting,
  checkWritingWith,
  DEFAULT_WRITING_WORDS,
  getWritingWords,
  setWritingWords,
  writingCheckResponse,
  writingCheckSeen,
} from "../../app/utils/writing-check.server";
import { body, makeUser } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle;
let admin: { id: string };

beforeAll(async () => {
  handle = await createTestDb();
  admin = await makeUser(handle.db, ["admin"]);
});
afterAll(() => handle.close());

const field = (text: string, name = "behavior", label = "Behaviour") => ({ name, label, text });

describe("matching", () => {
  it("finds listed words as whole words in any case, with what to write instead", () => {
    const notes = checkWritingWith(DEFAULT_WRITING_WORDS, [
      field("She was ABRASIVE in the review and Bossy with the interns."),
    ]);
    expect(notes.map((n) => n.phrase)).toEqual(["abrasive", "bossy"]);
    expect(notes.every((n) => n.field === "behavior" && n.label === "Behaviour")).toBe(true);
    expect(notes[0].suggestion).toMatch(/what they did|what was said/i);
  });

  it("does not match inside other words", () => {
    const words = [{ phrase: "nice", suggestion: "Say what they did." }];
    expect(
      checkWritingWith(words, [field("Fixed the service in Venice; niceties aside.")]),
    ).toEqual([]);
    expect(checkWritingWith(words, [field("Was nice.")])).toHaveLength(1);
  });

  it("matches a phrase across line breaks and extra spaces, the longer phrase hiding the shorter", () => {
    const notes = checkWritingWith(DEFAULT_WRITING_WORDS, [
      field("Honestly not a\n  culture   fit for this team."),
    ]);
    expect(notes.map((n) => n.phrase)).toEqual(["not a culture fit"]);
  });

  it("notes an empty impact field, but not an empty form", () => {
    const fields = [
      field("Asked the on-call engineer to walk her through the alert."),
      field("", "impact", "Impact"),
    ];
    expect(checkWritingWith(DEFAULT_WRITING_WORDS, fields, { impactField: "impact" })).toEqual([
      { field: "impact", label: "Impact", missingImpact: true },
    ]);
    expect(
      checkWritingWith(DEFAULT_WRITING_WORDS, [field(""), field(" ", "impact", "Impact")], {
        impactField: "impact",
      }),
    ).toEqual([]);
    expect(
      checkWritingWith(
        DEFAULT_WRITING_WORDS,
        [field("Asked for the runbook."), field("The outage ended in ten minutes.", "impact")],
        { impactField: "impact" },
      ),
    ).toEqual([]);
  });

  it("notes a single free-text field with no impact in it", () => {
    const view = (text: string) => [field(text, "view", "Your view")];
    expect(
      checkWritingWith(DEFAULT_WRITING_WORDS, view("Ran the incident review."), {
        impactIn: "view",
      }),
    ).toEqual([{ field: "view", label: "Your view", missingImpact: true }]);
    expect(
      checkWritingWith(
        DEFAULT_WRITING_WORDS,
        view("Ran the incident review, which led to two fixes."),
        {
          impactIn: "view",
        },
      ),
    ).toEqual([]);
  });

  it("reads the seen marker from a form or its values", () => {
    const form = new FormData();
    form.set("writingCheck", "seen");
    expect(writingCheckSeen(form)).toBe(true);
    expect(writingCheckSeen({ writingCheck: "yes" })).toBe(false);
    expect(writingCheckSeen({})).toBe(false);
  });

  it("answers the form protocol's 400 with the values kept and the notes", async () => {
    const values = { behavior: "Was bossy.", intent: "create" };
    const notes = checkWritingWith(DEFAULT_WRITING_WORDS, [field(values.behavior)]);
    const response = writingCheckResponse(values, notes);
    expect(response.status).toBe(400);
    const data = await body(response);
    expect(data).toMatchObject({ ok: false, fieldErrors: {}, values, writingNotes: notes });
    expect(data.formError).toBeUndefined();
  });
});

describe("the stored list", () => {
  it("uses the defaults until an admin saves a list, then that list", async () => {
    expect(await getWritingWords(handle.db)).toMatchObject({ version: 1, isDefault: true });
    expect(await checkWriting(handle.db, [field("Quite abrasive.")])).toHaveLength(1);

    const words = [{ phrase: "rockstar", suggestion: "Say what they shipped and for whom." }];
    expect(
      await setWritingWords(handle.db, { words, version: 1, actorId: admin.id, requestId: "r1" }),
    ).toBe(true);
    expect(await getWritingWords(handle.db)).toEqual({ words, version: 2, isDefault: false });
    expect(await checkWriting(handle.db, [field("Quite abrasive.")])).toEqual([]);
    expect(await checkWriting(handle.db, [field("A Rockstar.")])).toHaveLength(1);
  });

  it("refuses a stale version and audits a save with the count, never the words checked", async () => {
    expect(
      await setWritingWords(handle.db, {
        words: [],
        version: 1,
        actorId: admin.id,
        requestId: "r2",
      }),
    ).toBe(false);
    const events = await handle.db
      .selectFrom("audit_events")
      .select(["action", "entity_id", "details"])
      .where("entity_id", "=", "writing_check_words")
      .execute();
    expect(events).toEqual([
      {
        action: "settings.update",
        entity_id: "writing_check_words",
        details: { entries: 1, reset: false },
      },
    ]);
  });

  it("goes back to the defaults", async () => {
    expect(
      await setWritingWords(handle.db, {
        words: null,
        version: 2,
        actorId: admin.id,
        requestId: "r3",
      }),
    ).toBe(true);
    expect(await getWritingWords(handle.db)).toMatchObject({ version: 3, isDefault: true });
  });
});

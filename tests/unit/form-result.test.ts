import { describe, expect, it } from "vitest";
import { CHECK_FIELDS, detailOf, readFormResult } from "../../app/utils/form-result";
import { dateTime, day, idList, optionalDay } from "../../app/utils/fields";

const key = "0b7c9a1e-2f3d-4c5b-8a69-7e8d9c0b1a2f";
const fresh = "11111111-2222-4333-8444-555555555555";

describe("readFormResult", () => {
  it("reads nothing from a success or from no submission", () => {
    for (const data of [undefined, null, { ok: true }, "text"]) {
      const r = readFormResult(data);
      expect(r.failed).toBe(false);
      expect(r.summary).toBeUndefined();
      expect(r.value("title", "default")).toBe("default");
      expect(r.list("ids", ["a"])).toEqual(["a"]);
      expect(r.key(fresh)).toBe(fresh);
    }
  });

  it("gives the values as typed and the field messages of a refusal", () => {
    const r = readFormResult({
      ok: false,
      fieldErrors: { title: ["Give it a title."] },
      values: { title: "", ids: ["x", "y"], idempotencyKey: key },
    });
    expect(r.failed).toBe(true);
    expect(r.value("title", "default")).toBe("");
    expect(r.value("missing", "default")).toBe("default");
    expect(r.list("ids")).toEqual(["x", "y"]);
    expect(r.list("none", ["kept"])).toEqual([]);
    expect(r.errors.title).toEqual(["Give it a title."]);
    expect(r.summary).toBe(CHECK_FIELDS);
    expect(r.key(fresh)).toBe(key);
  });

  it("gives a fresh key when the key or the whole form was refused", () => {
    expect(
      readFormResult({
        ok: false,
        fieldErrors: { idempotencyKey: ["expired"] },
        values: { idempotencyKey: key },
      }).key(fresh),
    ).toBe(fresh);
    const used = readFormResult({
      ok: false,
      formError: "Used elsewhere.",
      fieldErrors: {},
      values: { idempotencyKey: key },
    });
    expect(used.key(fresh)).toBe(fresh);
    expect(used.summary).toBe("Used elsewhere.");
  });

  it("belongs only to the form whose intent was sent", () => {
    const data = {
      ok: false,
      fieldErrors: { reason: ["Give a reason."] },
      values: { intent: "stage", reason: "" },
    };
    expect(readFormResult(data, "stage").failed).toBe(true);
    expect(readFormResult(data, "archive").failed).toBe(false);
    expect(readFormResult(data, "archive").errors).toEqual({});
  });
});

describe("field schemas", () => {
  it("day: a real day in range, with a message naming the field", () => {
    const s = day("the start date", { max: "2027-01-01", tooLate: "Too late." });
    expect(s.parse(" 2026-02-28 ")).toBe("2026-02-28");
    expect(s.safeParse("2026-02-30").error?.issues[0]?.message).toBe(
      "Enter the start date as a real date (YYYY-MM-DD).",
    );
    expect(s.safeParse("").error?.issues.map((i) => i.message)).toEqual(["Enter the start date."]);
    expect(s.safeParse("2026-13-01").error?.issues.map((i) => i.message)).toEqual([
      "Enter the start date as a real date (YYYY-MM-DD).",
    ]);
    expect(s.safeParse("1999-12-31").error?.issues[0]?.message).toBe(
      "Use a date in 2000 or later.",
    );
    expect(s.safeParse("2027-01-02").error?.issues[0]?.message).toBe("Too late.");
  });

  it("optionalDay: empty is null, anything else must be a real day", () => {
    const s = optionalDay("the target date");
    expect(s.parse("")).toBeNull();
    expect(s.parse(undefined)).toBeNull();
    expect(s.safeParse("31/12/2026").error?.issues[0]?.message).toBe(
      "Enter the target date as a real date (YYYY-MM-DD), or leave it empty.",
    );
  });

  it("dateTime: one message for a missing and one for an impossible time", () => {
    const s = dateTime("the date and time");
    expect(s.parse("2027-03-01T09:30")).toBe("2027-03-01T09:30");
    expect(s.safeParse("").error?.issues.map((i) => i.message)).toEqual([
      "Choose the date and time.",
    ]);
    expect(s.safeParse("2027-02-30T09:30").error?.issues.map((i) => i.message)).toEqual([
      "Enter the date and time as a real date and time.",
    ]);
  });

  it("idList: none, one or many ids; anything else refused", () => {
    const s = idList("Choose from the list.");
    expect(s.parse(undefined)).toEqual([]);
    expect(s.parse(key)).toEqual([key]);
    expect(s.parse([key, ""])).toEqual([key]);
    expect(s.safeParse(["not-an-id"]).error?.issues[0]?.message).toBe("Choose from the list.");
  });
});

describe("detailOf", () => {
  it("reads the extra a refusal carries, and nothing from answers without it", () => {
    const stale = {
      ok: false,
      fieldErrors: {},
      values: {},
      detailed: true,
      conflict: { version: 3 },
    };
    expect(detailOf(stale, "conflict")).toEqual({ version: 3 });
    expect(detailOf({ ok: false, fieldErrors: {}, values: {} }, "conflict")).toBeUndefined();
    expect(detailOf(undefined, "conflict")).toBeUndefined();
  });
});

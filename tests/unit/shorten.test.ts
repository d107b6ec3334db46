import { describe, expect, it } from "vitest";
import { shorten } from "../../app/utils/shorten";

describe("shorten", () => {
  it("keeps a text of at most the limit whole", () => {
    expect(shorten("", 10)).toEqual({ text: "", cut: false });
    expect(shorten("0123456789", 10)).toEqual({ text: "0123456789", cut: false });
  });

  it("cuts a longer text at the last word boundary, with an ellipsis, within the limit", () => {
    const { text, cut } = shorten("The team knew what to do next week", 20);
    expect(cut).toBe(true);
    expect(text).toBe("The team knew what…");
    expect(text.length).toBeLessThanOrEqual(20);
  });

  it("drops the spaces and punctuation before the ellipsis", () => {
    expect(shorten("Asked first, then decided together", 16).text).toBe("Asked first…");
    expect(shorten("One two.   three four five", 14).text).toBe("One two…");
  });

  it("cuts inside a word only when it is too long to leave out (a pasted link)", () => {
    const url = `See https://example.com/${"a".repeat(60)}`;
    const { text } = shorten(url, 30);
    expect(text).toHaveLength(30);
    expect(text.endsWith("…")).toBe(true);
    expect(text.startsWith("See https://example.com/")).toBe(true);
  });

  it("never leaves half of an emoji before the ellipsis", () => {
    const { text } = shorten("🎉".repeat(20), 10);
    expect(text).toBe(`${"🎉".repeat(4)}…`);
  });
});

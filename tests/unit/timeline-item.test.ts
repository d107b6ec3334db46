import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { type Entry, TimelineItem } from "../../app/components/timeline";

const BASE = "/candidates/c1";

function entry(given: Partial<Entry>): Entry {
  return {
    kind: "stage",
    event: "stage",
    id: "e1",
    day: "2026-02-14",
    actor: "Lena Leader",
    title: null,
    detail: null,
    situation: null,
    behavior: null,
    impact: null,
    signal: null,
    from_status: null,
    to_status: null,
    mentor: null,
    edited: false,
    retracted: false,
    superseded: false,
    link_id: null,
    dimensions: [],
    evidence: [],
    shortened: false,
    ...given,
  };
}

const render = (e: Entry) =>
  renderToStaticMarkup(createElement(TimelineItem, { entry: e, base: BASE }))
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ");

describe("timeline entries", () => {
  it("shows the nomination with what the nominator spotted", () => {
    const text = render(
      entry({
        event: "nomination",
        day: "2025-12-01",
        actor: "Mia Manager",
        to_status: "spotted",
        detail: "Ran the incident review",
      }),
    );
    expect(text).toContain("Nominated · Stage: Spotted");
    expect(text).toContain("Mia Manager");
    expect(text).toContain("What they spotted: Ran the incident review");
  });

  it("lists the evidence a decision cites, as the summary describes it, linked to each record", () => {
    const cited = {
      observation_id: null,
      flag_id: null,
      assignment_id: null,
      observed_on: null,
      behavior: null,
      retracted: false,
      flag_observed_on: null,
      anti_pattern: null,
      assignment_title: null,
      assignment_status: null,
    };
    const decision = entry({
      kind: "decision",
      event: "decision",
      to_status: "insufficient_evidence",
      detail: "Only one observer so far",
      link_id: "m1",
      evidence: [
        {
          ...cited,
          observation_id: "o1",
          observed_on: "2026-01-20",
          behavior: "Paired on the outage fix",
          retracted: true,
        },
        { ...cited, flag_id: "f1", anti_pattern: "Territoriality", flag_observed_on: "2026-02-02" },
        {
          ...cited,
          assignment_id: "a1",
          assignment_title: "Run the retro",
          assignment_status: "offered",
        },
      ],
    });
    const text = render(decision);
    expect(text).toContain("Evidence it rests on:");
    expect(text).toContain("Paired on the outage fix");
    expect(text).toContain("retracted since");
    expect(text).toContain("Flag: Territoriality");
    expect(text).toContain("Sniff test: Run the retro");
    const html = renderToStaticMarkup(createElement(TimelineItem, { entry: decision, base: BASE }));
    for (const href of ["/observations/o1", "/flags/f1", "/assignments/a1"])
      expect(html).toContain(`href="${BASE}${href}"`);
  });

  it("links a shortened entry to where its text is whole, naming the entry for screen readers", () => {
    const observation = entry({
      kind: "observation",
      event: "observation",
      signal: "strength",
      behavior: "Asked the quietest person…",
      link_id: "o1",
      shortened: true,
    });
    const html = renderToStaticMarkup(
      createElement(TimelineItem, { entry: observation, base: BASE }),
    );
    expect(html).toMatch(
      /<a [^>]*href="\/candidates\/c1\/observations\/o1"[^>]*>Read all<span class="sr-only"> of Observation · Strength, [^<]+<\/span><\/a>/,
    );
    const nomination = entry({ event: "nomination", detail: "Ran…", shortened: true });
    expect(
      renderToStaticMarkup(createElement(TimelineItem, { entry: nomination, base: BASE })),
    ).toContain(`href="${BASE}#nomination"`);
    // Whole texts need no such link.
    expect(render({ ...observation, shortened: false })).not.toContain("Read all");
  });
});

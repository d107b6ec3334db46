import type { Kysely, Transaction } from "kysely";
import type {
  AssignmentStatus,
  Database,
  FlagStatus,
  Leaning,
  PlanStatus,
  Role,
  Signal,
  Stage,
  Track,
} from "../schema";
import { seedReadinessRoles } from "../../app/models/readiness-role.server";

// The demo organisation: a fictional engineering department with a leadership pipeline in every
// state, so each screen and each process nudge has something to show. Every date is relative to
// `today`, so the demo always looks current. Nothing here imports app code (it runs from the CLI),
// except the readiness roles' own seeding function, which issue 22's contract puts beside the roles.

export const DEMO_PASSWORD = "noseworthy-demo";

type UserKey = "admin" | "leader" | "manager" | "manager2" | "mentor";

export const DEMO_USERS: ReadonlyArray<{
  key: UserKey;
  email: string;
  name: string;
  roles: Role[];
}> = [
  { key: "admin", email: "admin@demo.test", name: "Ada Admin", roles: ["admin"] },
  { key: "leader", email: "leader@demo.test", name: "Lena Whitcombe", roles: ["leader"] },
  { key: "manager", email: "manager@demo.test", name: "Marcus Osei", roles: ["manager"] },
  { key: "manager2", email: "manager2@demo.test", name: "Priya Raman", roles: ["manager"] },
  { key: "mentor", email: "mentor@demo.test", name: "Tom Hargreaves", roles: ["mentor"] },
];

type DimensionKey =
  "commitment" | "curiosity" | "outcome_orientation" | "technical_leadership" | "people_skills";
type AntiPatternKey =
  | "breeding_cynicism"
  | "authority_through_volume"
  | "condescension"
  | "territoriality"
  | "taking_credit"
  | "not_my_job";

const DIMENSIONS: Array<{ key: DimensionKey; name: string; description: string }> = [
  {
    key: "commitment",
    name: "Commitment",
    description:
      "Follows through when nobody is making them: finishes what they take on, or says early and plainly that they can't, and puts in effort beyond the minimum because they care about the result.",
  },
  {
    key: "curiosity",
    name: "Curiosity",
    description:
      "Seeks out new knowledge and brings it back to the team: uses learning opportunities, asks why things work the way they do, and turns what they learn into small, practical changes.",
  },
  {
    key: "outcome_orientation",
    name: "Outcome orientation",
    description:
      "Works towards the result rather than the task: turns vague requests into something that lasts, finds out what stakeholders actually need, and builds processes that keep running without them.",
  },
  {
    key: "technical_leadership",
    name: "Technical leadership",
    description:
      "Earns technical credibility and uses it to guide others: asks probing questions, weighs evidence over enthusiasm, knows when not to build, and leaves decisions written down for those who come later.",
  },
  {
    key: "people_skills",
    name: "People skills",
    description:
      "Makes the people around them more successful: listens, gives credit, shares work and knowledge, handles disagreement calmly, and influences without relying on formal authority.",
  },
];

const ANTI_PATTERNS: Array<{ key: AntiPatternKey; name: string; description: string }> = [
  {
    key: "breeding_cynicism",
    name: "Breeding cynicism",
    description:
      "Habitually runs down decisions, colleagues or the organisation without offering a way forward, so that others stop believing change is possible.",
  },
  {
    key: "authority_through_volume",
    name: "Exercising authority through volume",
    description:
      "Wins arguments by being the loudest or most insistent voice in the room rather than by evidence or persuasion; others go quiet instead of disagreeing.",
  },
  {
    key: "condescension",
    name: "Condescending behaviour",
    description:
      "Talks down to colleagues, dismisses questions as obvious, or makes others feel foolish for not knowing something.",
  },
  {
    key: "territoriality",
    name: "Territoriality",
    description:
      "Guards code, systems, information or people as personal territory; blocks or resents contributions from outside their own patch.",
  },
  {
    key: "taking_credit",
    name: "Taking credit for others' work",
    description:
      "Presents shared or someone else's work as their own, or leaves out the people who made a result possible.",
  },
  {
    key: "not_my_job",
    name: '"Not my job" mentality',
    description:
      "Declines to help with problems outside a narrow remit, even when they are best placed to help and the team's outcome depends on it.",
  },
];

type TestKey = "commitment" | "curiosity" | "outcome" | "technical";

const SNIFF_TESTS: Array<{
  key: TestKey;
  dimension: DimensionKey;
  createdBy: UserKey;
  title: string;
  assignment: string;
  rationale: string;
  signals: string;
  red_flags: string;
  timebox_days: number;
}> = [
  {
    key: "commitment",
    dimension: "commitment",
    createdBy: "leader",
    title: "Run an open-source language model yourself",
    assignment:
      "Download an open-source large language model, get it configured and running on a machine you control, and send us a short write-up of what you observed: what worked, what didn't and what surprised you. A page or two is plenty; no slides needed.",
    rationale:
      "Nobody has to do this and there is no step-by-step guide, so whether someone finishes, and how far they take it, shows how much they care about the work when nothing forces them. When this homework was first used to staff a GenAI team, more than half of those asked never completed it; the person who went furthest went on to lead the team.",
    signals:
      "Finishes within the timebox, or says early and plainly that they can't. Goes beyond the minimum: tries more than one model or setting, measures something, hits a problem and works round it. The write-up is specific and useful to others. Asks for help when stuck.",
    red_flags:
      "Silence until the due date. A write-up copied from a tutorial with no observations of their own. Treating it as a box to tick. Blaming the tools without trying alternatives.",
    timebox_days: 14,
  },
  {
    key: "curiosity",
    dimension: "curiosity",
    createdBy: "manager",
    title: "Spend a learning budget and share what you learnt",
    assignment:
      "You have a learning budget of $250 to spend on anything you believe will make you or the team better: books, a course, a conference ticket, a piece of kit. Within the timebox, share what you learnt with the team in whatever form suits you and, if you can, suggest one change it points to.",
    rationale:
      "Most people leave a budget like this unspent. Whether someone uses it, what they choose and whether they bring it back to the team shows curiosity that turns into action, not curiosity for its own sake.",
    signals:
      "Spends it with a purpose they can explain. Connects what they learnt to how the team works today. Proposes a small, testable change and follows it up. Seeks out conversations: asks for a 1:1, finds someone who has tried it before.",
    red_flags:
      "Budget left unused with no reason given. Learning kept private. A change proposed and dropped at the first objection. Something chosen purely for the CV with no link to the work.",
    timebox_days: 60,
  },
  {
    key: "outcome",
    dimension: "outcome_orientation",
    createdBy: "manager",
    title: "Make the monthly meeting happen",
    assignment:
      "We need a monthly meeting between your team and its stakeholders to happen and to be worth attending. That is the whole brief: work out what it is for, who should be there and how it keeps going.",
    rationale:
      "The brief is deliberately vague. Someone oriented towards outcomes finds out what the meeting is for and builds something that lasts; someone oriented towards tasks sends calendar invitations and considers the job done.",
    signals:
      "Talks to stakeholders about their goals before scheduling anything. Puts simple structure in place: an agenda, owners, a rota, a rule for when to skip a month. The meeting keeps running when they are away. Checks after a few months whether it is still useful.",
    red_flags:
      "Invitations sent, job done. The meeting depends entirely on them. Nobody can say what it is for. Gives up when the first session is poorly attended.",
    timebox_days: 60,
  },
  {
    key: "technical",
    dimension: "technical_leadership",
    createdBy: "leader",
    title: "Decide whether a proposed feature should be built",
    assignment:
      "Take a feature proposal that is currently on the table (we will suggest one) and evaluate it: who needs it, what it would cost to build and run, what the systems around it can support, and what happens if we don't build it. Recommend build, don't build or not yet, and write the decision down so that someone can revisit it later.",
    rationale:
      "Leading technically is as much about knowing when not to build as about building well: an elegant design for something nobody needs is a cost. The exercise shows whether someone asks probing questions, weighs evidence over enthusiasm and leaves a record others can use.",
    signals:
      "Asks who the customer is and checks demand with evidence. Looks at constraints upstream and downstream. Is comfortable recommending not to build. Documents the gaps and a trigger for revisiting. Brings others into the analysis.",
    red_flags:
      "Starts designing before asking whether it is needed. Recommends building because it is interesting. Dismisses stakeholders' answers. Leaves no written record.",
    timebox_days: 14,
  },
];

type CandidateKey =
  | "sophie"
  | "daniel"
  | "hannah"
  | "ravi"
  | "grace"
  | "owen"
  | "chloe"
  | "tomasz"
  | "amara"
  | "jack"
  | "megan"
  | "ellis";

type DecisionKey = "sophie" | "daniel" | "hannah" | "ravi";

/** The last calibration meeting was held this many days ago (negative: in the past). */
const CALIBRATION_DAY = -42;

interface StageStep {
  on: number; // days relative to today
  to: Stage;
  by: UserKey;
  reason: string;
  decision?: DecisionKey;
}

interface CandidateSpec {
  key: CandidateKey;
  name: string;
  email: string | null;
  title: string;
  team: string;
  track: Track;
  manager: UserKey;
  nominatedBy: UserKey;
  reason: string;
  history: StageStep[]; // first step is the nomination (to 'spotted')
  revisitOn?: number;
}

const CANDIDATES: CandidateSpec[] = [
  {
    key: "sophie",
    name: "Sophie Adeyemi",
    email: "sophie.adeyemi@demo.test",
    title: "Engineering Manager",
    team: "Payments",
    track: "people_leadership",
    manager: "manager",
    nominatedBy: "manager",
    reason:
      "Has become the person Payments turns to when an incident needs calm coordination, and newer engineers seek out her reviews. Coordinated the card-refund incident across three teams without being asked.",
    history: [
      {
        on: -300,
        to: "spotted",
        by: "manager",
        reason:
          "Nominated after she coordinated the card-refund incident across three teams without being asked.",
      },
      {
        on: -270,
        to: "exploring",
        by: "manager",
        reason: "Offered the commitment and outcome-orientation sniff tests.",
      },
      {
        on: -180,
        to: "coaching",
        by: "manager",
        reason:
          "Both sniff tests completed with lasting results; starting a coaching plan on delegation and technical direction with Tom.",
      },
      {
        on: CALIBRATION_DAY,
        to: "ready",
        by: "leader",
        reason: "Calibration decision: ready now.",
        decision: "sophie",
      },
      {
        on: -14,
        to: "promoted",
        by: "leader",
        reason:
          "Appointed Engineering Manager for Payments when the team split, as the calibration decision recommended.",
        decision: "sophie",
      },
    ],
  },
  {
    key: "daniel",
    name: "Daniel Kowalski",
    email: "daniel.kowalski@demo.test",
    title: "Senior Engineer",
    team: "Platform",
    track: "technical_leadership",
    manager: "manager2",
    nominatedBy: "manager2",
    reason:
      "Writes the design notes other teams reuse, and steered the service-mesh discussion back to the problems we actually have.",
    history: [
      {
        on: -280,
        to: "spotted",
        by: "manager2",
        reason: "Nominated after the architecture guild discussion on the service mesh.",
      },
      {
        on: -230,
        to: "exploring",
        by: "manager2",
        reason: "Offered the feature-evaluation sniff test (technical leadership).",
      },
      {
        on: CALIBRATION_DAY,
        to: "ready",
        by: "leader",
        reason: "Calibration decision: ready now, for a staff engineer role on Platform.",
        decision: "daniel",
      },
    ],
  },
  {
    key: "hannah",
    name: "Hannah Brooks",
    email: "hannah.brooks@demo.test",
    title: "Senior Engineer",
    team: "Mobile",
    track: "people_leadership",
    manager: "manager",
    nominatedBy: "manager",
    reason:
      "Runs the Mobile release train in all but name and keeps QA, design and engineering talking to each other.",
    history: [
      {
        on: -220,
        to: "spotted",
        by: "manager",
        reason: "Nominated for informally running the release train.",
      },
      {
        on: -160,
        to: "exploring",
        by: "manager",
        reason: "Offered the outcome-orientation sniff test (monthly quality review).",
      },
      {
        on: CALIBRATION_DAY,
        to: "coaching",
        by: "leader",
        reason:
          "Calibration decision: ready with development. Coaching plan on listening and shared decisions.",
        decision: "hannah",
      },
    ],
  },
  {
    key: "ravi",
    name: "Ravi Chandran",
    email: "ravi.chandran@demo.test",
    title: "Senior Data Engineer",
    team: "Data",
    track: "technical_leadership",
    manager: "manager2",
    nominatedBy: "leader",
    reason:
      "Knows the warehouse and its pipelines better than anyone and explains lineage to the analysts patiently; noticed at the analytics office hours.",
    history: [
      {
        on: -200,
        to: "spotted",
        by: "leader",
        reason: "Nominated after the analytics office hours.",
      },
      {
        on: -150,
        to: "exploring",
        by: "manager2",
        reason: "Offered the commitment and feature-evaluation sniff tests.",
      },
      {
        on: CALIBRATION_DAY,
        to: "paused",
        by: "leader",
        reason: "Calibration decision: not yet. Revisit once the warehouse move has landed.",
        decision: "ravi",
      },
    ],
    revisitOn: 50,
  },
  {
    key: "grace",
    name: "Grace Mensah",
    email: "grace.mensah@demo.test",
    title: "Software Engineer",
    team: "Payments",
    track: "people_leadership",
    manager: "manager",
    nominatedBy: "manager",
    reason:
      "Set up the team's onboarding buddy scheme on her own initiative and spotted the gaps in our runbooks.",
    history: [
      {
        on: -190,
        to: "spotted",
        by: "manager",
        reason: "Nominated for the onboarding buddy scheme.",
      },
      {
        on: -140,
        to: "exploring",
        by: "manager",
        reason: "Offered the learning-budget and commitment sniff tests.",
      },
      {
        on: -90,
        to: "coaching",
        by: "manager",
        reason:
          "Curiosity came through strongly; commitment less clear. Coaching plan with Tom to stretch her from her own tickets to the team's outcomes.",
      },
    ],
  },
  {
    key: "owen",
    name: "Owen Fairbairn",
    email: "owen.fairbairn@demo.test",
    title: "Software Engineer",
    team: "Platform",
    track: "technical_leadership",
    manager: "manager2",
    nominatedBy: "manager2",
    reason:
      "Junior, but asks why: after a team conversation about flow he asked for a 1:1 to talk about our review queue, with his own measurements.",
    history: [
      {
        on: -110,
        to: "spotted",
        by: "manager2",
        reason: "Nominated after he brought review-queue measurements to a 1:1.",
      },
      {
        on: -60,
        to: "exploring",
        by: "manager2",
        reason: "Offered the learning-budget sniff test; the commitment one to follow.",
      },
    ],
  },
  {
    key: "chloe",
    name: "Chloe Whitfield",
    email: "chloe.whitfield@demo.test",
    title: "Senior Engineer",
    team: "Data",
    track: "people_leadership",
    manager: "manager2",
    nominatedBy: "manager2",
    reason:
      "Ran the Data team's stand-ups while the lead was away; the team asked her to carry on afterwards.",
    history: [
      {
        on: -160,
        to: "spotted",
        by: "manager2",
        reason: "Nominated for running stand-ups while the team lead was away.",
      },
      {
        on: -120,
        to: "exploring",
        by: "manager2",
        reason: "Offered the commitment sniff test as part of staffing the GenAI R&D team.",
      },
    ],
  },
  {
    key: "tomasz",
    name: "Tomasz Nowak",
    email: "tomasz.nowak@demo.test",
    title: "Software Engineer",
    team: "Mobile",
    track: "technical_leadership",
    manager: "manager",
    nominatedBy: "manager",
    reason: "Our strongest Android engineer; other teams ask him how to structure their modules.",
    history: [
      {
        on: -130,
        to: "spotted",
        by: "manager",
        reason: "Nominated after the Android modularisation work.",
      },
      {
        on: -100,
        to: "exploring",
        by: "manager",
        reason:
          "Offered the commitment sniff test with the GenAI R&D group; feature evaluation to follow.",
      },
    ],
  },
  {
    key: "amara",
    name: "Amara Okafor",
    email: "amara.okafor@demo.test",
    title: "Senior Engineer",
    team: "Payments",
    track: "people_leadership",
    manager: "manager",
    nominatedBy: "leader",
    reason:
      "Facilitated the cross-team incident review so that everyone spoke and nobody was blamed.",
    history: [
      {
        on: -20,
        to: "spotted",
        by: "leader",
        reason: "Nominated after the cross-team incident review she facilitated.",
      },
    ],
  },
  {
    key: "jack",
    name: "Jack Thornton",
    email: "jack.thornton@demo.test",
    title: "Software Engineer",
    team: "Platform",
    track: "technical_leadership",
    manager: "manager2",
    nominatedBy: "manager2",
    reason:
      "Took ownership of the flaky CI pipeline and halved build times; teammates credit him for it.",
    history: [
      { on: -170, to: "spotted", by: "manager2", reason: "Nominated for the CI pipeline work." },
    ],
  },
  {
    key: "megan",
    name: "Megan Doyle",
    email: "megan.doyle@demo.test",
    title: "Senior Engineer",
    team: "Data",
    track: "people_leadership",
    manager: "manager2",
    nominatedBy: "manager2",
    reason:
      "Mentors the two graduate engineers and ran the Data team's planning while the lead was on leave.",
    history: [
      {
        on: -250,
        to: "spotted",
        by: "manager2",
        reason: "Nominated for mentoring the graduates and running planning.",
      },
      {
        on: -200,
        to: "exploring",
        by: "manager2",
        reason: "Offered the learning-budget sniff test.",
      },
      {
        on: -100,
        to: "archived",
        by: "manager2",
        reason:
          "Megan told us she wants to stay on the individual-contributor path for the next year. Archived at her request; she knows she can ask to be reconsidered.",
      },
    ],
  },
  {
    key: "ellis",
    name: "Ellis Parry",
    email: null,
    title: "Software Engineer",
    team: "Mobile",
    track: "technical_leadership",
    manager: "manager",
    nominatedBy: "manager",
    reason:
      "Found a memory leak others had walked past by reading the profiler output properly, then wrote it up for everyone.",
    history: [
      {
        on: -10,
        to: "spotted",
        by: "manager",
        reason: "Nominated after the memory-leak write-up.",
      },
    ],
  },
];

type AssignmentKey = string;

interface AssignmentSpec {
  key: AssignmentKey;
  test: TestKey;
  candidate: CandidateKey;
  by: UserKey;
  offered: number;
  due?: number; // defaults to offered + timebox
  accepted?: number;
  closed?: number;
  status: AssignmentStatus;
  closeNote?: string;
}

const ASSIGNMENTS: AssignmentSpec[] = [
  // Commitment: offered nine times, completed twice.
  {
    key: "sophie_commitment",
    test: "commitment",
    candidate: "sophie",
    by: "manager",
    offered: -268,
    accepted: -267,
    closed: -256,
    status: "completed",
    closeNote: "Write-up received and discussed.",
  },
  {
    key: "ravi_commitment",
    test: "commitment",
    candidate: "ravi",
    by: "manager2",
    offered: -148,
    accepted: -146,
    closed: -134,
    status: "not_completed",
    closeNote: "No write-up by the due date; Ravi said the warehouse work came first.",
  },
  {
    key: "grace_commitment",
    test: "commitment",
    candidate: "grace",
    by: "manager",
    offered: -138,
    accepted: -137,
    closed: -124,
    status: "not_completed",
    closeNote: "Model downloaded but never ran; no write-up.",
  },
  {
    key: "megan_commitment",
    test: "commitment",
    candidate: "megan",
    by: "manager2",
    offered: -112,
    closed: -100,
    status: "withdrawn",
    closeNote: "Withdrawn when Megan chose to stay on the individual-contributor path.",
  },
  {
    key: "jack_commitment",
    test: "commitment",
    candidate: "jack",
    by: "manager2",
    offered: -112,
    closed: -110,
    status: "declined",
    closeNote:
      "Declined: a heavy on-call rota and a house move this quarter. Asked to be offered it again later.",
  },
  {
    key: "chloe_commitment",
    test: "commitment",
    candidate: "chloe",
    by: "manager2",
    offered: -105,
    accepted: -104,
    closed: -93,
    status: "completed",
    closeNote: "Write-up received; shared with the GenAI R&D group.",
  },
  {
    key: "tomasz_commitment",
    test: "commitment",
    candidate: "tomasz",
    by: "manager",
    offered: -98,
    accepted: -97,
    closed: -84,
    status: "not_completed",
    closeNote: "Not started by the due date.",
  },
  {
    key: "owen_commitment",
    test: "commitment",
    candidate: "owen",
    by: "manager2",
    offered: -9,
    accepted: -8,
    status: "accepted",
  },
  {
    key: "amara_commitment",
    test: "commitment",
    candidate: "amara",
    by: "manager",
    offered: -4,
    status: "offered",
  },
  // Curiosity
  {
    key: "megan_curiosity",
    test: "curiosity",
    candidate: "megan",
    by: "manager2",
    offered: -198,
    accepted: -197,
    closed: -150,
    status: "completed",
    closeNote: "Shared at the Data team's learning session.",
  },
  {
    key: "grace_curiosity",
    test: "curiosity",
    candidate: "grace",
    by: "manager",
    offered: -140,
    accepted: -139,
    closed: -95,
    status: "completed",
    closeNote: "Lunch-and-learn held; new runbook template adopted.",
  },
  {
    key: "owen_curiosity",
    test: "curiosity",
    candidate: "owen",
    by: "manager2",
    offered: -58,
    accepted: -57,
    closed: -20,
    status: "completed",
    closeNote: "Talk given at the Platform guild; review-slot trial under way.",
  },
  // Outcome orientation
  {
    key: "sophie_outcome",
    test: "outcome",
    candidate: "sophie",
    by: "manager",
    offered: -265,
    accepted: -264,
    closed: -205,
    status: "completed",
    closeNote: "Reconciliation review running monthly.",
  },
  {
    key: "hannah_outcome",
    test: "outcome",
    candidate: "hannah",
    by: "manager",
    offered: -158,
    accepted: -157,
    closed: -100,
    status: "completed",
    closeNote: "Quality review running with a rotating chair.",
  },
  {
    key: "chloe_outcome",
    test: "outcome",
    candidate: "chloe",
    by: "manager2",
    offered: -57,
    accepted: -55,
    status: "accepted",
  },
  // Technical leadership
  {
    key: "daniel_technical",
    test: "technical",
    candidate: "daniel",
    by: "manager2",
    offered: -228,
    accepted: -227,
    closed: -214,
    status: "completed",
    closeNote: "Decision record published.",
  },
  {
    key: "ravi_technical",
    test: "technical",
    candidate: "ravi",
    by: "manager2",
    offered: -145,
    accepted: -144,
    closed: -131,
    status: "completed",
    closeNote: "Analysis received.",
  },
  {
    key: "tomasz_technical",
    test: "technical",
    candidate: "tomasz",
    by: "manager",
    offered: -17,
    accepted: -16,
    status: "accepted",
  },
];

type PlanKey = "sophie" | "hannah" | "grace" | "ravi";

interface ObservationSpec {
  key?: string;
  candidate: CandidateKey;
  author: UserKey;
  on: number;
  signal: Signal;
  dimensions: DimensionKey[];
  situation: string;
  behavior: string;
  impact: string;
  assignment?: AssignmentKey;
  plan?: PlanKey;
}

const OBSERVATIONS: ObservationSpec[] = [
  // Sophie: promoted
  {
    key: "sophie_refund",
    candidate: "sophie",
    author: "manager",
    on: -300,
    signal: "strength",
    dimensions: ["people_skills", "outcome_orientation"],
    situation: "Card-refund incident on a Friday evening, spanning Payments, Ledger and Support.",
    behavior:
      "Without being asked, she opened a shared channel, named one person per system and posted a plain-English summary every 30 minutes.",
    impact:
      "Refunds were flowing again within two hours. Support said it was the first incident where they knew what to tell customers.",
  },
  {
    key: "sophie_commitment_debrief",
    candidate: "sophie",
    author: "manager",
    on: -255,
    signal: "strength",
    dimensions: ["commitment"],
    assignment: "sophie_commitment",
    situation: "Debrief of the commitment sniff test: run an open-source language model locally.",
    behavior:
      "Ran two small models on her laptop, tried three quantisation settings and wrote a two-page note on memory use, speed and where the answers went wrong.",
    impact:
      "Her note became the starting point for the team's own experiments; two colleagues reproduced her set-up from it without help.",
  },
  {
    key: "sophie_outcome_debrief",
    candidate: "sophie",
    author: "manager",
    on: -204,
    signal: "strength",
    dimensions: ["outcome_orientation"],
    assignment: "sophie_outcome",
    situation:
      "Debrief of the outcome-orientation sniff test: make the monthly Payments and Finance reconciliation meeting happen.",
    behavior:
      "Interviewed Finance about what they needed, agreed a one-page agenda, set up a rota for preparing the figures and wrote down when the meeting may be skipped.",
    impact: "The meeting has run every month since, including the two she missed.",
  },
  {
    candidate: "sophie",
    author: "mentor",
    on: -150,
    signal: "strength",
    dimensions: ["people_skills"],
    plan: "sophie",
    situation: "Coaching session on delegation.",
    behavior:
      "Brought a list of the tasks only she was doing and handed three of them to colleagues that week, each with a written note on what good looks like.",
    impact:
      "Two of the three came back done to her standard; she coached the third person through it rather than taking the task back.",
  },
  {
    candidate: "sophie",
    author: "manager2",
    on: -120,
    signal: "context",
    dimensions: ["technical_leadership"],
    situation: "Cross-team design review of the ledger API change.",
    behavior:
      "Asked the Platform team what they would need to support the change before proposing anything, and dropped her preferred option when it turned out to need a new queue.",
    impact: "Saved Platform about a sprint of work; the design was agreed in one session.",
  },
  {
    key: "sophie_forum",
    candidate: "sophie",
    author: "leader",
    on: -70,
    signal: "strength",
    dimensions: ["people_skills", "technical_leadership"],
    situation: "Leadership forum, presenting the Payments roadmap.",
    behavior:
      "Credited the fraud-rule work to the two engineers who did it, by name, and let one of them answer the difficult questions.",
    impact: "Both engineers were later invited to present to the risk committee.",
  },
  {
    candidate: "sophie",
    author: "manager",
    on: -10,
    signal: "context",
    dimensions: ["people_skills"],
    situation: "First fortnight as Engineering Manager for Payments.",
    behavior:
      "Held a 1:1 with each of her seven reports in the first week and published her working agreements for the team to comment on.",
    impact: "Early days; the team says stand-ups surface blockers sooner.",
  },
  // Daniel: ready
  {
    key: "daniel_mesh",
    candidate: "daniel",
    author: "manager2",
    on: -280,
    signal: "strength",
    dimensions: ["technical_leadership"],
    situation: "Architecture guild discussion on adopting a service mesh.",
    behavior:
      "Listed the three problems we actually have and showed that two of them were already solved by existing load-balancer settings.",
    impact: "The mesh proposal was dropped, saving a quarter of migration work.",
  },
  {
    key: "daniel_technical_debrief",
    candidate: "daniel",
    author: "manager2",
    on: -213,
    signal: "strength",
    dimensions: ["technical_leadership"],
    assignment: "daniel_technical",
    situation:
      "Debrief of the feature-evaluation sniff test: the proposal to run the config service active-active across regions.",
    behavior:
      "Interviewed four consuming teams, went through the incident history and found no outage that active-active would have prevented. Wrote a decision record recommending not to build it now, listing what would change the answer.",
    impact:
      "The proposal was shelved with a clear trigger for revisiting, and the time went on config validation instead, which had caused two real incidents.",
  },
  {
    key: "daniel_planning",
    candidate: "daniel",
    author: "manager2",
    on: -160,
    signal: "concern",
    dimensions: ["people_skills"],
    situation: "Quarterly planning for Platform.",
    behavior:
      "Wrote most of the plan himself overnight instead of working it through with the team; two engineers learnt about their own projects from the document.",
    impact: "The plan was sound but needed a second round before the team would commit to it.",
  },
  {
    key: "daniel_workshop",
    candidate: "daniel",
    author: "manager2",
    on: -95,
    signal: "strength",
    dimensions: ["people_skills"],
    situation: "The next quarterly planning, after we had talked about the previous one.",
    behavior:
      "Ran planning as a workshop, drafted nothing in advance and asked the quieter engineers to present their proposals first.",
    impact: "The team said they felt they owned the plan; it was agreed in one pass.",
  },
  {
    key: "daniel_upgrade",
    candidate: "daniel",
    author: "leader",
    on: -60,
    signal: "strength",
    dimensions: ["outcome_orientation", "technical_leadership"],
    situation: "Kubernetes upgrade across every cluster.",
    behavior:
      "Turned the upgrade into a checklist any team could follow, paired with each team on their first cluster and then stepped back.",
    impact:
      "All 14 clusters were upgraded in five weeks, most of them without his hands on the keyboard.",
  },
  {
    candidate: "daniel",
    author: "manager2",
    on: -20,
    signal: "context",
    dimensions: ["commitment"],
    situation: "Waiting for a staff engineer role to open on Platform.",
    behavior:
      "Asked for a stretch project in the meantime and took on the cross-team reliability review.",
    impact: "Too early to say; gives us more evidence before a role opens.",
  },
  // Hannah: coaching (ready with development)
  {
    key: "hannah_release",
    candidate: "hannah",
    author: "manager",
    on: -220,
    signal: "strength",
    dimensions: ["outcome_orientation"],
    situation: "The Mobile release train had no owner and releases kept slipping.",
    behavior:
      "Started a shared release checklist and a weekly 15-minute sync between QA, design and engineering.",
    impact: "Release slips went from most weeks to rare.",
  },
  {
    key: "hannah_outcome_debrief",
    candidate: "hannah",
    author: "manager",
    on: -100,
    signal: "strength",
    dimensions: ["outcome_orientation"],
    assignment: "hannah_outcome",
    situation:
      "Debrief of the outcome-orientation sniff test: make the monthly Mobile quality review happen.",
    behavior:
      "Asked each stakeholder what they wanted from it, set up a rotating chair, templated the crash and app-store figures so anyone could prepare them, and wrote down what to cut when time runs short.",
    impact:
      "The review ran twice while she was on three weeks' leave, chaired by others, with no help from her.",
  },
  {
    key: "hannah_retro",
    candidate: "hannah",
    author: "manager",
    on: -80,
    signal: "concern",
    dimensions: ["people_skills"],
    situation: "Sprint retrospective on the delayed tablet release.",
    behavior:
      "Talked over two colleagues who were raising the release-date problem and moved the retro on before they had finished.",
    impact: "The same problem came back a fortnight later as a missed date.",
  },
  {
    candidate: "hannah",
    author: "mentor",
    on: -30,
    signal: "strength",
    dimensions: ["people_skills"],
    plan: "hannah",
    situation: "Design review she chaired, discussed at our coaching session.",
    behavior:
      "Used the 'everyone writes first, then we discuss' format we had agreed and gave her own view last.",
    impact: "Three people put forward options; one of theirs was adopted.",
  },
  {
    candidate: "hannah",
    author: "leader",
    on: -8,
    signal: "strength",
    dimensions: ["people_skills"],
    situation: "Sprint review with product and design stakeholders.",
    behavior:
      "When the product manager pushed back, she paused, asked what was behind the concern and adjusted the scope on the spot.",
    impact:
      "The product manager said afterwards it was the easiest negotiation they had had this year.",
  },
  // Ravi: paused (not yet)
  {
    key: "ravi_office_hours",
    candidate: "ravi",
    author: "leader",
    on: -200,
    signal: "strength",
    dimensions: ["technical_leadership"],
    situation: "Analytics office hours.",
    behavior:
      "Explained the lineage of the revenue tables to the analysts with diagrams, then wrote it up on the wiki.",
    impact: "Questions about revenue discrepancies dropped noticeably over the following month.",
  },
  {
    key: "ravi_technical_debrief",
    candidate: "ravi",
    author: "manager2",
    on: -131,
    signal: "context",
    dimensions: ["technical_leadership"],
    assignment: "ravi_technical",
    situation:
      "Debrief of the feature-evaluation sniff test: real-time streaming for the finance dashboards.",
    behavior:
      "Produced a careful cost and latency analysis, but recommended building it even though Finance had said daily figures were enough; found it hard to set the interesting engineering aside.",
    impact:
      "The analysis was useful. The decision not to build was reached by the group rather than by him.",
  },
  {
    key: "ravi_commitment_note",
    candidate: "ravi",
    author: "manager2",
    on: -130,
    signal: "context",
    dimensions: ["commitment"],
    assignment: "ravi_commitment",
    situation: "Conversation after the commitment sniff test closed without a write-up.",
    behavior:
      "Said openly that the warehouse work had left no room, and proposed a date to try again, but did not follow up on it.",
    impact: "We have no evidence on commitment either way.",
  },
  {
    candidate: "ravi",
    author: "mentor",
    on: -55,
    signal: "strength",
    dimensions: ["people_skills"],
    plan: "ravi",
    situation: "Pairing session with a graduate engineer, part of his coaching plan.",
    behavior:
      "Let the graduate drive for the whole session and asked questions instead of giving answers.",
    impact: "The graduate shipped her first pipeline change that week.",
  },
  // Grace: coaching
  {
    candidate: "grace",
    author: "manager",
    on: -190,
    signal: "strength",
    dimensions: ["people_skills"],
    situation: "Two new joiners starting in the same week.",
    behavior:
      "Set up a buddy scheme, wrote a first-week checklist and paired with each of them on their first deployment.",
    impact: "Both joiners shipped a change in their first week.",
  },
  {
    candidate: "grace",
    author: "manager",
    on: -124,
    signal: "concern",
    dimensions: ["commitment"],
    assignment: "grace_commitment",
    situation: "Due date of the commitment sniff test.",
    behavior:
      "Had downloaded the model but stopped when it would not start; did not ask anyone for help or tell us she had stopped.",
    impact: "We only found out on the due date, with no write-up.",
  },
  {
    candidate: "grace",
    author: "manager",
    on: -95,
    signal: "strength",
    dimensions: ["curiosity"],
    assignment: "grace_curiosity",
    situation: "Debrief of the learning-budget sniff test.",
    behavior:
      "Took a short course on incident response, ran a lunch-and-learn and rewrote the team's runbook template from what she learnt.",
    impact:
      "The next two incidents used the new template and the first customer update went out sooner both times.",
  },
  {
    candidate: "grace",
    author: "mentor",
    on: -50,
    signal: "context",
    dimensions: ["outcome_orientation"],
    plan: "grace",
    situation: "Coaching session about the payment-retry project.",
    behavior:
      "Described the project entirely in terms of her tickets rather than what merchants need from it.",
    impact: "Agreed she will write the project's outcome in one sentence before our next session.",
  },
  // Owen: exploring
  {
    candidate: "owen",
    author: "manager2",
    on: -110,
    signal: "strength",
    dimensions: ["curiosity"],
    situation: "After a team conversation about flow and bottlenecks.",
    behavior:
      "Asked for a 1:1 to talk about why pull requests wait so long, and brought a month of his own measurements.",
    impact: "Started the team's conversation about the review queue.",
  },
  {
    candidate: "owen",
    author: "manager2",
    on: -20,
    signal: "strength",
    dimensions: ["curiosity", "outcome_orientation"],
    assignment: "owen_curiosity",
    situation: "Debrief of the learning-budget sniff test.",
    behavior:
      "Bought two books on flow and constraints, summarised them in a short talk and proposed two small changes: a daily review slot and a size limit on pull requests.",
    impact:
      "The median wait for a first review fell from two days to under half a day within three weeks.",
  },
  {
    candidate: "owen",
    author: "leader",
    on: -40,
    signal: "context",
    dimensions: ["people_skills"],
    situation: "Platform guild, presenting his review-queue data.",
    behavior:
      "Was nervous and read from his slides, but answered questions honestly and said what he did not know.",
    impact: "Two other teams asked to try the review slot.",
  },
  {
    candidate: "owen",
    author: "manager2",
    on: -3,
    signal: "context",
    dimensions: ["commitment"],
    assignment: "owen_commitment",
    situation: "Commitment sniff test under way.",
    behavior:
      "Posted an early note in the team channel about getting a model running on the shared GPU box and asked who else wanted to try.",
    impact: "Three colleagues joined in; his write-up is due next week.",
  },
  // Chloe: exploring
  {
    candidate: "chloe",
    author: "manager2",
    on: -160,
    signal: "strength",
    dimensions: ["people_skills"],
    situation: "Data team stand-ups while the team lead was away.",
    behavior:
      "Kept stand-ups to ten minutes, took blockers offline and followed up each one the same day.",
    impact: "The team asked her to keep running them after the lead came back.",
  },
  {
    candidate: "chloe",
    author: "manager2",
    on: -93,
    signal: "strength",
    dimensions: ["commitment", "curiosity"],
    assignment: "chloe_commitment",
    situation: "Debrief of the commitment sniff test, offered while staffing the GenAI R&D team.",
    behavior:
      "Fitted a bigger graphics card to her home PC so she could run a larger model than a laptop allows, compared three models on a sample of our own support tickets and wrote up where each one failed.",
    impact:
      "Her write-up shaped the GenAI R&D team's first experiment, and she was asked to join its steering group.",
  },
  {
    candidate: "chloe",
    author: "mentor",
    on: -30,
    signal: "context",
    dimensions: ["people_skills"],
    situation: "Practice 1:1 with a graduate engineer, which I sat in on at her request.",
    behavior:
      "Spent most of the time on tasks; when prompted, she asked the graduate about career goals and listened well.",
    impact: "A useful starting point; she asked for reading on running 1:1s.",
  },
  // Tomasz: exploring
  {
    candidate: "tomasz",
    author: "manager",
    on: -130,
    signal: "strength",
    dimensions: ["technical_leadership"],
    situation: "Modularising the Android app.",
    behavior:
      "Wrote a clear module guide with worked examples and reviewed every team's first module.",
    impact: "Build times fell and the module boundaries have stayed clean.",
  },
  {
    candidate: "tomasz",
    author: "manager",
    on: -84,
    signal: "concern",
    dimensions: ["commitment"],
    assignment: "tomasz_commitment",
    situation: "Due date of the commitment sniff test.",
    behavior: "Had not started; said he would look at it when things calm down.",
    impact: "No evidence on commitment either way.",
  },
  {
    candidate: "tomasz",
    author: "manager2",
    on: -15,
    signal: "concern",
    dimensions: ["people_skills"],
    situation: "Cross-team API review with Platform.",
    behavior:
      "Had the right answers but gave them with visible impatience, sighing at questions from the Platform engineers.",
    impact: "The review ended without agreement and needed a follow-up meeting.",
  },
  // Amara: spotted (a single observer so far)
  {
    candidate: "amara",
    author: "leader",
    on: -20,
    signal: "strength",
    dimensions: ["people_skills"],
    situation: "Cross-team review of the checkout outage.",
    behavior:
      "Facilitated it with a clear timeline, asked each team to speak in turn and stopped a blame-seeking question politely but firmly.",
    impact: "Every team contributed; the actions were agreed in the room.",
  },
  {
    candidate: "amara",
    author: "leader",
    on: -6,
    signal: "strength",
    dimensions: ["outcome_orientation"],
    situation: "Follow-up to the checkout outage review.",
    behavior:
      "Checked two weeks later that each action had an owner and a date, and chased the two that had stalled.",
    impact: "All actions closed within the month.",
  },
  // Jack: spotted, nothing recent
  {
    candidate: "jack",
    author: "manager2",
    on: -150,
    signal: "strength",
    dimensions: ["outcome_orientation"],
    situation: "The CI pipeline failing intermittently for weeks.",
    behavior:
      "Took it on without being asked, found the shared cache behind the failures and documented the fix.",
    impact: "Build times halved and the intermittent failures stopped.",
  },
  {
    candidate: "jack",
    author: "manager2",
    on: -120,
    signal: "context",
    dimensions: ["commitment"],
    situation: "1:1 during a heavy on-call quarter.",
    behavior: "Asked for help deciding what to drop, rather than quietly working longer hours.",
    impact: "We moved two tasks to another engineer.",
  },
  // Megan: archived at her request
  {
    candidate: "megan",
    author: "manager2",
    on: -240,
    signal: "strength",
    dimensions: ["people_skills"],
    situation: "Mentoring the two graduate engineers.",
    behavior:
      "Held weekly sessions with each of them and gave them real pieces of work with a safety net.",
    impact: "Both graduates were on the on-call rota within six months.",
  },
  {
    candidate: "megan",
    author: "manager2",
    on: -150,
    signal: "strength",
    dimensions: ["curiosity"],
    assignment: "megan_curiosity",
    situation: "Debrief of the learning-budget sniff test.",
    behavior: "Took a facilitation course and tried two of its techniques in the team's planning.",
    impact: "Planning finished on time for the first time that year.",
  },
  // Ellis: just spotted
  {
    candidate: "ellis",
    author: "manager",
    on: -10,
    signal: "strength",
    dimensions: ["curiosity"],
    situation: "Slow app start-up reported by customer support.",
    behavior:
      "Read the profiler output others had skimmed, found a memory leak in image caching and wrote up how he found it.",
    impact: "Start-up time improved and two teams used his write-up to check their own code.",
  },
];

interface FlagSpec {
  key: string;
  candidate: CandidateKey;
  antiPattern: AntiPatternKey;
  raisedBy: UserKey;
  observed: number;
  raised: number;
  situation: string;
  behavior: string;
  impact: string;
  discussed?: { on: number; by: UserKey; note: string };
  transitions: Array<{ on: number; by: UserKey; to: FlagStatus; note: string }>;
  resolution?: string;
}

const FLAGS: FlagSpec[] = [
  {
    key: "hannah_volume",
    candidate: "hannah",
    antiPattern: "authority_through_volume",
    raisedBy: "manager",
    observed: -66,
    raised: -65,
    situation: "Design discussion on offline sync for the Mobile app.",
    behavior:
      "Raised her voice and closed the debate with 'we're doing it my way' while a junior engineer was mid-sentence.",
    impact: "The junior engineer did not speak in the next two design meetings.",
    discussed: {
      on: -60,
      by: "manager",
      note: "Talked it through in our 1:1. Hannah recognised the pattern and apologised to the engineer herself.",
    },
    transitions: [
      { on: -40, by: "manager", to: "addressing", note: "Linked to her coaching plan." },
    ],
  },
  {
    key: "tomasz_condescension",
    candidate: "tomasz",
    antiPattern: "condescension",
    raisedBy: "manager",
    observed: -13,
    raised: -12,
    situation: "Code review on a colleague's first Kotlin pull request.",
    behavior:
      "Left comments such as 'surely everyone knows this' and 'read the docs' without explaining the problem.",
    impact: "The colleague closed the pull request and asked someone else to make the change.",
    transitions: [],
  },
  {
    key: "ravi_territory",
    candidate: "ravi",
    antiPattern: "territoriality",
    raisedBy: "manager2",
    observed: -171,
    raised: -170,
    situation: "Marketing asked for a new column in the campaign tables.",
    behavior:
      "Closed the request with 'not your schema' and no explanation, and later reverted an approved change another team had made.",
    impact: "Marketing escalated to their director; it took a week to agree the change.",
    discussed: {
      on: -165,
      by: "manager2",
      note: "Discussed in 1:1. Ravi felt responsible for data quality and worried about uncontrolled changes.",
    },
    transitions: [
      { on: -140, by: "manager2", to: "addressing", note: "Linked to his coaching plan." },
      { on: -60, by: "manager2", to: "resolved", note: "Change-request guide published and used." },
    ],
    resolution:
      "Ravi published a guide to requesting schema changes and has reviewed three requests from other teams together with their authors. Marketing confirmed the process works for them.",
  },
  {
    key: "grace_not_my_job",
    candidate: "grace",
    antiPattern: "not_my_job",
    raisedBy: "manager",
    observed: -26,
    raised: -25,
    situation: "Payment-retry alert firing during working hours.",
    behavior:
      "Said the alert belonged to Platform and went back to her ticket, although it linked to her own team's runbook.",
    impact: "The alert went unacknowledged for forty minutes.",
    discussed: {
      on: -20,
      by: "manager",
      note: "Discussed in 1:1. Grace had not realised the runbook was ours; she agreed to join the next on-call handover.",
    },
    transitions: [],
  },
  {
    key: "jack_cynicism",
    candidate: "jack",
    antiPattern: "breeding_cynicism",
    raisedBy: "manager2",
    observed: -126,
    raised: -125,
    situation: "Team retrospective after the reorganisation announcement.",
    behavior:
      "Said that 'nothing we say here ever changes anything' and listed past retro actions that went nowhere.",
    impact: "The retro turned into a list of grievances for ten minutes.",
    discussed: {
      on: -122,
      by: "manager2",
      note: "Talked with Jack and two teammates about the retro.",
    },
    transitions: [{ on: -118, by: "manager2", to: "dismissed", note: "Not a pattern." }],
    resolution:
      "Dismissed after talking with Jack and two teammates: the retro had asked for candour, he summarised a frustration the whole team shared, and he proposed fixes alongside it. Not a pattern.",
  },
  {
    key: "chloe_credit",
    candidate: "chloe",
    antiPattern: "taking_credit",
    raisedBy: "manager2",
    observed: -71,
    raised: -70,
    situation: "Demo of the new data-quality checks to the wider department.",
    behavior:
      "Presented the checks as her work; two engineers who built half of them were not mentioned.",
    impact: "One of them raised it with me, upset.",
    discussed: {
      on: -68,
      by: "manager2",
      note: "Chloe said she had meant 'we' throughout and was mortified; she offered to correct it.",
    },
    transitions: [{ on: -45, by: "manager2", to: "resolved", note: "Corrected and not repeated." }],
    resolution:
      "Chloe corrected the demo write-up the same week and now lists contributors in every demo; I checked the next two write-ups.",
  },
];

interface PlanSpec {
  key: PlanKey;
  candidate: CandidateKey;
  createdBy: UserKey;
  goal: string;
  started: number;
  target: number | null;
  dimensions: DimensionKey[];
  flags: string[];
  changes: Array<{ on: number; by: UserKey; to: PlanStatus; reason: string }>; // after creation
  actions: Array<{ title: string; due: number | null; done: number | null }>;
  checkins: Array<{ on: number; notes: string; next: number | null }>;
}

const PLANS: PlanSpec[] = [
  {
    key: "sophie",
    candidate: "sophie",
    createdBy: "manager",
    started: -175,
    target: -60,
    goal: "Move from doing the hardest work herself to setting direction through others: hand over three recurring responsibilities, and lead one technical decision through the team without writing the proposal herself.",
    dimensions: ["people_skills", "technical_leadership"],
    flags: [],
    changes: [
      {
        on: -50,
        by: "mentor",
        to: "completed",
        reason:
          "Goals met: three responsibilities handed over and the ledger API decision led through the team.",
      },
    ],
    actions: [
      { title: "List the recurring tasks that only you do", due: -168, done: -168 },
      {
        title: "Hand three of them over, each with a written note on what good looks like",
        due: -140,
        done: -146,
      },
      {
        title: "Lead the ledger API design through the team without drafting the proposal yourself",
        due: -110,
        done: -118,
      },
      {
        title: "Read and discuss a chapter of a management book every fortnight",
        due: -60,
        done: -62,
      },
    ],
    checkins: [
      {
        on: -170,
        notes:
          "Agreed the goal and the first two actions. Sophie is worried that handing work over will slow the team down; we agreed to measure that rather than assume it.",
        next: -150,
      },
      {
        on: -150,
        notes:
          "Three tasks handed over. Two went well; she was tempted to take the third back and coached instead.",
        next: -125,
      },
      {
        on: -125,
        notes:
          "Ledger API design under way, led by two engineers. She is asking questions in review rather than proposing answers.",
        next: -100,
      },
      {
        on: -100,
        notes:
          "Design agreed in one session. Talked about how to give feedback to someone more senior.",
        next: -75,
      },
      {
        on: -75,
        notes: "Reviewed the plan: goals largely met. One more session to close it.",
        next: -52,
      },
      {
        on: -52,
        notes: "Closing session. She will keep the fortnightly reading habit going on her own.",
        next: null,
      },
    ],
  },
  {
    key: "hannah",
    candidate: "hannah",
    createdBy: "manager",
    started: -40,
    target: 80,
    goal: "Keep the drive that makes the release train work while making room for other voices: chair decisions so that others speak first, and close the flag about volume with the people affected.",
    dimensions: ["people_skills", "outcome_orientation"],
    flags: ["hannah_volume"],
    changes: [],
    actions: [
      {
        title: "Agree a 'write first, discuss second' format for design reviews",
        due: -30,
        done: -33,
      },
      {
        title: "Ask two colleagues for feedback after each design review you chair",
        due: -10,
        done: -12,
      },
      {
        title: "Follow-up conversation with the engineer from the offline-sync discussion",
        due: -5,
        done: null,
      },
      {
        title: "Hand the chair of the release train to someone else for one cycle",
        due: 21,
        done: null,
      },
    ],
    checkins: [
      {
        on: -35,
        notes:
          "First session. Hannah described the offline-sync discussion herself and wants to change how she chairs. Agreed the write-first format.",
        next: -21,
      },
      {
        on: -21,
        notes:
          "Used the format twice. Found it hard to stay quiet until the end but saw more options on the table.",
        next: -7,
      },
      {
        on: -7,
        notes:
          "Feedback from colleagues is positive. The follow-up conversation with the junior engineer has not happened yet; she is nervous about it. We rehearsed it.",
        next: 7,
      },
    ],
  },
  {
    key: "grace",
    candidate: "grace",
    createdBy: "manager",
    started: -88,
    target: 30,
    goal: "Stretch from finishing her own tickets to owning an outcome for the team: lead the payment-retry improvements from the problem statement to a measured result.",
    dimensions: ["outcome_orientation", "commitment"],
    flags: [],
    changes: [],
    actions: [
      {
        title:
          "Write the retry project's outcome in one sentence and agree it with the product manager",
        due: -40,
        done: -38,
      },
      { title: "Present the retry figures at the team review", due: 10, done: null },
      {
        title: "When stuck for more than a day, ask for help and say so at stand-up",
        due: null,
        done: null,
      },
    ],
    checkins: [
      {
        on: -80,
        notes:
          "Agreed the goal. Grace is keen but unsure what 'owning an outcome' means day to day. Talked through examples.",
        next: -60,
      },
      {
        on: -60,
        notes:
          "She has the tickets under control; the outcome is still fuzzy. Action: one-sentence outcome.",
        next: -45,
      },
      {
        on: -45,
        notes:
          "Outcome agreed with the product manager: halve failed retries for card payments. Next: get the figures in front of the team.",
        next: -31,
      },
    ],
  },
  {
    key: "ravi",
    candidate: "ravi",
    createdBy: "manager2",
    started: -140,
    target: 60,
    goal: "Open the warehouse to the teams that depend on it: invite changes from other teams through a clear process instead of guarding it, and grow the people around him.",
    dimensions: ["people_skills", "technical_leadership"],
    flags: ["ravi_territory"],
    changes: [
      {
        on: -40,
        by: "manager2",
        to: "paused",
        reason:
          "Paused during the warehouse move, in line with the calibration outcome. Resume before the revisit date.",
      },
    ],
    actions: [
      { title: "Publish a guide to requesting a schema change", due: -110, done: -110 },
      { title: "Pair with a graduate engineer every week for a month", due: -60, done: -56 },
      {
        title: "Review two change requests from other teams together with their authors",
        due: null,
        done: null,
      },
    ],
    checkins: [
      {
        on: -120,
        notes:
          "Guide drafted; Ravi asked Marketing to review it before publishing, which was his own idea.",
        next: -90,
      },
      {
        on: -90,
        notes: "Two change requests handled through the guide. Started pairing with a graduate.",
        next: -55,
      },
      {
        on: -55,
        notes:
          "Pairing going well. The warehouse move is consuming him; agreed to discuss pausing after calibration.",
        next: null,
      },
    ],
  },
];

// ---- The directory ------------------------------------------------------------------------------------
// Everyone in the department, nominated or not, in six teams. The demo's accounts and candidates are
// people too (the database made a person for each); here they get their titles, teams and managers, and
// the rest of the department joins them. Managers are named by address, as in the CSV import.

const DIRECTORY_DOMAIN = "demo.test";

/** The demo's accounts in the directory: their title and team, and who they report to. */
const ACCOUNT_PLACES: Record<UserKey, { title: string; team: string; manager: string | null }> = {
  admin: { title: "IT Administrator", team: "", manager: null },
  leader: { title: "Head of Engineering", team: "Engineering", manager: null },
  manager: { title: "Engineering Manager", team: "Payments", manager: "leader@demo.test" },
  manager2: { title: "Engineering Manager", team: "Platform", manager: "leader@demo.test" },
  mentor: { title: "Principal Engineer", team: "Engineering", manager: "leader@demo.test" },
};

/** Who each candidate reports to in the directory (their manager in Noseworthy, except Sophie's new team). */
const CANDIDATE_MANAGERS: Record<CandidateKey, string> = {
  sophie: "manager@demo.test",
  daniel: "manager2@demo.test",
  hannah: "manager@demo.test",
  ravi: "manager2@demo.test",
  grace: "manager@demo.test",
  owen: "manager2@demo.test",
  chloe: "manager2@demo.test",
  tomasz: "manager@demo.test",
  amara: "manager@demo.test",
  jack: "manager2@demo.test",
  megan: "manager2@demo.test",
  ellis: "manager@demo.test",
};

interface DirectorySpec {
  name: string;
  title: string;
  team: string;
  /** The manager's address: an account's, a candidate's or another person's here. */
  manager: string;
  /** Days relative to today when they left. */
  leftOn?: number;
}

const address = (name: string) =>
  `${name
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z]+/g, ".")}@${DIRECTORY_DOMAIN}`;

const DIRECTORY: DirectorySpec[] = [
  // Payments: Marcus's team, and since the split, Sophie's.
  {
    name: "Felix Andersson",
    title: "Senior Engineer",
    team: "Payments",
    manager: "manager@demo.test",
  },
  {
    name: "Yasmin Haddou",
    title: "Software Engineer",
    team: "Payments",
    manager: "manager@demo.test",
  },
  { name: "Connor Walsh", title: "QA Engineer", team: "Payments", manager: "manager@demo.test" },
  {
    name: "Leila Farahani",
    title: "Software Engineer",
    team: "Payments",
    manager: "sophie.adeyemi@demo.test",
  },
  {
    name: "Martin Kovac",
    title: "Senior Engineer",
    team: "Payments",
    manager: "sophie.adeyemi@demo.test",
  },
  {
    name: "Imogen Price",
    title: "Software Engineer",
    team: "Payments",
    manager: "sophie.adeyemi@demo.test",
  },
  // Platform: Priya's team; the commitment sniff test was offered to it.
  {
    name: "Kwame Asante",
    title: "Senior Engineer",
    team: "Platform",
    manager: "manager2@demo.test",
  },
  {
    name: "Rosa Delgado",
    title: "Software Engineer",
    team: "Platform",
    manager: "manager2@demo.test",
  },
  {
    name: "Henrik Lund",
    title: "Site Reliability Engineer",
    team: "Platform",
    manager: "manager2@demo.test",
  },
  {
    name: "Aisha Rahman",
    title: "Software Engineer",
    team: "Platform",
    manager: "manager2@demo.test",
  },
  {
    name: "Oscar Bennett",
    title: "Senior Site Reliability Engineer",
    team: "Platform",
    manager: "manager2@demo.test",
  },
  { name: "Mei Lin", title: "Software Engineer", team: "Platform", manager: "manager2@demo.test" },
  {
    name: "Samuel Okonkwo",
    title: "Software Engineer",
    team: "Platform",
    manager: "manager2@demo.test",
  },
  {
    name: "Elena Petrova",
    title: "Senior Engineer",
    team: "Platform",
    manager: "manager2@demo.test",
  },
  {
    name: "Dylan Hughes",
    title: "Graduate Engineer",
    team: "Platform",
    manager: "manager2@demo.test",
  },
  {
    name: "Nadia Costa",
    title: "Software Engineer",
    team: "Platform",
    manager: "manager2@demo.test",
  },
  // Mobile: Marcus's second team.
  { name: "Lucas Moreau", title: "Senior Engineer", team: "Mobile", manager: "manager@demo.test" },
  { name: "Zara Ahmed", title: "Software Engineer", team: "Mobile", manager: "manager@demo.test" },
  {
    name: "Patrick Byrne",
    title: "Software Engineer",
    team: "Mobile",
    manager: "manager@demo.test",
  },
  { name: "Hana Suzuki", title: "Designer", team: "Mobile", manager: "manager@demo.test" },
  {
    name: "George Kim",
    title: "Software Engineer",
    team: "Mobile",
    manager: "manager@demo.test",
    leftOn: -60,
  },
  { name: "Freya Nilsen", title: "QA Engineer", team: "Mobile", manager: "manager@demo.test" },
  // Data: Priya's second team.
  { name: "Ibrahim Diallo", title: "Data Engineer", team: "Data", manager: "manager2@demo.test" },
  {
    name: "Sofia Romano",
    title: "Senior Data Engineer",
    team: "Data",
    manager: "manager2@demo.test",
  },
  { name: "Theo Clarke", title: "Data Analyst", team: "Data", manager: "manager2@demo.test" },
  {
    name: "Priyanka Desai",
    title: "Data Engineer",
    team: "Data",
    manager: "manager2@demo.test",
    leftOn: -95,
  },
  { name: "Marco Bianchi", title: "Data Engineer", team: "Data", manager: "manager2@demo.test" },
  { name: "Ruth Adler", title: "Analytics Engineer", team: "Data", manager: "manager2@demo.test" },
  // Security: Noor's team (no account in Noseworthy).
  {
    name: "Noor Haddad",
    title: "Engineering Manager",
    team: "Security",
    manager: "leader@demo.test",
  },
  {
    name: "Victor Mendes",
    title: "Security Engineer",
    team: "Security",
    manager: "noor.haddad@demo.test",
  },
  {
    name: "Alice Fournier",
    title: "Senior Security Engineer",
    team: "Security",
    manager: "noor.haddad@demo.test",
  },
  {
    name: "Kenji Watanabe",
    title: "Security Engineer",
    team: "Security",
    manager: "noor.haddad@demo.test",
  },
  {
    name: "Bethany Cole",
    title: "Security Analyst",
    team: "Security",
    manager: "noor.haddad@demo.test",
  },
  {
    name: "Omar Farouk",
    title: "Security Engineer",
    team: "Security",
    manager: "noor.haddad@demo.test",
  },
  {
    name: "Ingrid Solberg",
    title: "Security Engineer",
    team: "Security",
    manager: "noor.haddad@demo.test",
  },
  {
    name: "Raj Malhotra",
    title: "Application Security Engineer",
    team: "Security",
    manager: "noor.haddad@demo.test",
  },
  // Developer Experience: Ben's team (no account in Noseworthy).
  {
    name: "Ben Castillo",
    title: "Engineering Manager",
    team: "Developer Experience",
    manager: "leader@demo.test",
  },
  {
    name: "Clara Jensen",
    title: "Senior Engineer",
    team: "Developer Experience",
    manager: "ben.castillo@demo.test",
  },
  {
    name: "Tobias Weber",
    title: "Software Engineer",
    team: "Developer Experience",
    manager: "ben.castillo@demo.test",
  },
  {
    name: "Amina Yusuf",
    title: "Software Engineer",
    team: "Developer Experience",
    manager: "ben.castillo@demo.test",
  },
  {
    name: "Liam Gallagher",
    title: "Build Engineer",
    team: "Developer Experience",
    manager: "ben.castillo@demo.test",
  },
  {
    name: "Eva Lindqvist",
    title: "Technical Writer",
    team: "Developer Experience",
    manager: "ben.castillo@demo.test",
  },
  {
    name: "Jonah Fischer",
    title: "Software Engineer",
    team: "Developer Experience",
    manager: "ben.castillo@demo.test",
  },
];

interface OfferingResponse {
  name: string;
  status: AssignmentStatus;
  accepted?: number;
  closed?: number;
  note?: string;
}

/** The commitment sniff test, offered by Priya to Platform: how each person responded. */
const PLATFORM_OFFERING: {
  test: TestKey;
  by: UserKey;
  team: string;
  offered: number;
  due: number;
  responses: OfferingResponse[];
} = {
  test: "commitment",
  by: "manager2",
  team: "Platform",
  offered: -10,
  due: 4,
  responses: [
    {
      name: "Kwame Asante",
      status: "completed",
      accepted: -9,
      closed: -3,
      note: "Ran two models on his own laptop and on a spare GPU box, measured tokens per second on each, and wrote up why the smaller one was good enough for our log summaries. Shared the notes in #platform unprompted.",
    },
    {
      name: "Elena Petrova",
      status: "completed",
      accepted: -10,
      closed: -2,
      note: "Got a model running in a container, hit a memory limit, and wrote a clear page on the settings that fixed it. Offered to pair with anyone trying the same.",
    },
    {
      name: "Mei Lin",
      status: "completed",
      accepted: -8,
      closed: -1,
      note: "Short write-up: model running, a few prompts tried, observations mostly from the tutorial.",
    },
    {
      name: "Henrik Lund",
      status: "not_completed",
      accepted: -9,
      closed: -2,
      note: "Said early that the on-call rota left him no time this fortnight; asked to be offered it again next quarter.",
    },
    {
      name: "Samuel Okonkwo",
      status: "declined",
      closed: -8,
      note: "Not interested in language models; happy to try a different sniff test.",
    },
    { name: "Rosa Delgado", status: "accepted", accepted: -7 },
    { name: "Nadia Costa", status: "accepted", accepted: -6 },
    { name: "Aisha Rahman", status: "offered" },
    { name: "Oscar Bennett", status: "offered" },
    { name: "Dylan Hughes", status: "offered" },
  ],
};

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

function todayLocal(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** True when no user exists yet: the demo seed only runs on an empty database. */
export async function isEmpty(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom("users").select("id").limit(1).executeTakeFirst();
  return row === undefined;
}

export async function seedDemo(
  db: Kysely<Database>,
  options: { hashPassword: (plain: string) => Promise<string>; today?: string },
): Promise<void> {
  const today = options.today ?? todayLocal();
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
  if (!match) throw new Error(`seedDemo: today must be YYYY-MM-DD, got ${JSON.stringify(today)}`);
  const base = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (Number.isNaN(base) || new Date(base).toISOString().slice(0, 10) !== today) {
    throw new Error(`seedDemo: not a calendar date: ${today}`);
  }
  const DAY = 86_400_000;
  /** Calendar date `offset` days from today, as 'YYYY-MM-DD'. */
  const day = (offset: number) => new Date(base + offset * DAY).toISOString().slice(0, 10);
  /** A timestamp on that day (UTC). */
  const at = (offset: number, time = "10:00") => `${day(offset)}T${time}:00Z`;
  /** Time of day of a stage move: a calibration outcome lands after the meeting closes. */
  const stepTime = (step: StageStep, isFirst: boolean) =>
    step.decision && step.on === CALIBRATION_DAY ? "16:15" : isFirst ? "09:30" : "11:00";
  const monthTitle = (offset: number) => {
    const d = new Date(base + offset * DAY);
    return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  };

  // Hash once, outside the transaction: argon2 is deliberately slow.
  const passwordHash = await options.hashPassword(DEMO_PASSWORD);

  await db.transaction().execute(async (trx) => {
    const user = await insertUsers(trx, passwordHash, at(-330, "08:00"));
    const dimension = await insertFramework(trx, at(-330, "08:05"));
    const antiPattern = await insertAntiPatterns(trx, at(-330, "08:05"));

    // Candidates
    const candidate = {} as Record<CandidateKey, string>;
    for (const spec of CANDIDATES) {
      const first = spec.history[0];
      const last = spec.history[spec.history.length - 1];
      if (!first || !last || first.to !== "spotted")
        throw new Error(`seedDemo: bad history for ${spec.key}`);
      if (last.to === "paused" && spec.revisitOn === undefined)
        throw new Error(`seedDemo: ${spec.key} needs revisitOn`);
      const row = await trx
        .insertInto("candidates")
        .values({
          name: spec.name,
          email: spec.email,
          title: spec.title,
          team: spec.team,
          track: spec.track,
          manager_id: user[spec.manager],
          nominated_by: user[spec.nominatedBy],
          nominated_reason: spec.reason,
          stage: last.to,
          stage_changed_at: at(last.on, stepTime(last, spec.history.length === 1)),
          revisit_on: spec.revisitOn === undefined ? null : day(spec.revisitOn),
          archived_at: last.to === "archived" ? at(last.on, stepTime(last, false)) : null,
          created_at: at(first.on, "09:30"),
          updated_at: at(last.on, stepTime(last, spec.history.length === 1)),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      candidate[spec.key] = row.id;
    }

    // Explicit circle members beyond manager, nominator and mentors.
    await trx
      .insertInto("candidate_observers")
      .values([
        {
          candidate_id: candidate.sophie,
          user_id: user.manager2,
          added_by: user.manager,
          created_at: at(-125),
        },
        {
          candidate_id: candidate.chloe,
          user_id: user.mentor,
          added_by: user.manager2,
          created_at: at(-35),
        },
        {
          candidate_id: candidate.tomasz,
          user_id: user.manager2,
          added_by: user.manager,
          created_at: at(-20),
        },
      ])
      .execute();

    // Sniff tests, each with its first revision.
    const test = {} as Record<TestKey, { id: string; revisionId: string; timebox: number }>;
    for (const spec of SNIFF_TESTS) {
      const content = {
        title: spec.title,
        dimension_id: dimension[spec.dimension],
        assignment: spec.assignment,
        rationale: spec.rationale,
        signals: spec.signals,
        red_flags: spec.red_flags,
        timebox_days: spec.timebox_days,
      };
      const created = at(-290, "09:00");
      const row = await trx
        .insertInto("sniff_tests")
        .values({
          ...content,
          created_by: user[spec.createdBy],
          created_at: created,
          updated_at: created,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const revision = await trx
        .insertInto("sniff_test_revisions")
        .values({
          ...content,
          sniff_test_id: row.id,
          version: 1,
          edited_by: user[spec.createdBy],
          created_at: created,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      test[spec.key] = { id: row.id, revisionId: revision.id, timebox: spec.timebox_days };
    }

    // Assignments and their status history.
    const assignment: Record<string, string> = {};
    for (const spec of ASSIGNMENTS) {
      const t = test[spec.test];
      const open = spec.status === "offered" || spec.status === "accepted";
      if (open !== (spec.closed === undefined))
        throw new Error(`seedDemo: assignment ${spec.key} closed_on mismatch`);
      const lastChange = spec.closed ?? spec.accepted ?? spec.offered;
      const row = await trx
        .insertInto("sniff_test_assignments")
        .values({
          sniff_test_id: t.id,
          sniff_test_revision_id: t.revisionId,
          candidate_id: candidate[spec.candidate],
          assigned_by: user[spec.by],
          offered_on: day(spec.offered),
          due_on: day(spec.due ?? spec.offered + t.timebox),
          status: spec.status,
          closed_on: spec.closed === undefined ? null : day(spec.closed),
          version: 1 + (spec.accepted === undefined ? 0 : 1) + (spec.closed === undefined ? 0 : 1),
          created_at: at(spec.offered, "09:00"),
          updated_at: at(lastChange, "17:00"),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      assignment[spec.key] = row.id;
      const events: Array<{
        assignment_id: string;
        from_status: AssignmentStatus | null;
        to_status: AssignmentStatus;
        changed_by: string;
        note: string;
        created_at: string;
      }> = [
        {
          assignment_id: row.id,
          from_status: null,
          to_status: "offered",
          changed_by: user[spec.by],
          note: "",
          created_at: at(spec.offered, "09:00"),
        },
      ];
      let current: AssignmentStatus = "offered";
      if (spec.accepted !== undefined) {
        events.push({
          assignment_id: row.id,
          from_status: current,
          to_status: "accepted",
          changed_by: user[spec.by],
          note: "",
          created_at: at(spec.accepted, "12:00"),
        });
        current = "accepted";
      }
      if (spec.closed !== undefined) {
        events.push({
          assignment_id: row.id,
          from_status: current,
          to_status: spec.status,
          changed_by: user[spec.by],
          note: spec.closeNote ?? "",
          created_at: at(spec.closed, "17:00"),
        });
      }
      await trx.insertInto("sniff_test_assignment_events").values(events).execute();
    }

    // Coaching plans (observations and flags link to them).
    const plan = {} as Record<PlanKey, string>;
    for (const spec of PLANS) {
      const finalStatus = spec.changes.length
        ? spec.changes[spec.changes.length - 1]!.to
        : "active";
      const lastOn = Math.max(spec.started, ...spec.changes.map((c) => c.on));
      const row = await trx
        .insertInto("coaching_plans")
        .values({
          candidate_id: candidate[spec.candidate],
          mentor_id: user.mentor,
          created_by: user[spec.createdBy],
          goal: spec.goal,
          status: finalStatus,
          started_on: day(spec.started),
          target_on: spec.target === null ? null : day(spec.target),
          version: 1 + spec.changes.length,
          created_at: at(spec.started, "10:30"),
          updated_at: at(lastOn, "10:30"),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      plan[spec.key] = row.id;
      let from: PlanStatus = "active";
      await trx
        .insertInto("coaching_plan_changes")
        .values([
          {
            plan_id: row.id,
            from_status: null,
            to_status: "active",
            from_mentor_id: null,
            to_mentor_id: user.mentor,
            changed_by: user[spec.createdBy],
            reason: "Plan started.",
            changed_on: day(spec.started),
            created_at: at(spec.started, "10:30"),
          },
          ...spec.changes.map((change) => {
            const value = {
              plan_id: row.id,
              from_status: from,
              to_status: change.to,
              from_mentor_id: user.mentor,
              to_mentor_id: user.mentor,
              changed_by: user[change.by],
              reason: change.reason,
              changed_on: day(change.on),
              created_at: at(change.on, "10:30"),
            };
            from = change.to;
            return value;
          }),
        ])
        .execute();
      await trx
        .insertInto("coaching_plan_dimensions")
        .values(spec.dimensions.map((d) => ({ plan_id: row.id, dimension_id: dimension[d] })))
        .execute();
      await trx
        .insertInto("coaching_actions")
        .values(
          spec.actions.map((action, index) => ({
            plan_id: row.id,
            title: action.title,
            position: index + 1,
            due_on: action.due === null ? null : day(action.due),
            done_on: action.done === null ? null : day(action.done),
            created_by: user.mentor,
            version: action.done === null ? 1 : 2,
            created_at: at(spec.started, "11:00"),
            updated_at: at(action.done ?? spec.started, "11:00"),
          })),
        )
        .execute();
      await trx
        .insertInto("coaching_checkins")
        .values(
          spec.checkins.map((checkin) => ({
            plan_id: row.id,
            author_id: user.mentor,
            held_on: day(checkin.on),
            notes: checkin.notes,
            next_on: checkin.next === null ? null : day(checkin.next),
            created_at: at(checkin.on, "15:00"),
          })),
        )
        .execute();
    }

    // Observations
    const observation: Record<string, string> = {};
    for (const spec of OBSERVATIONS) {
      const row = await trx
        .insertInto("observations")
        .values({
          candidate_id: candidate[spec.candidate],
          author_id: user[spec.author],
          observed_on: day(spec.on),
          situation: spec.situation,
          behavior: spec.behavior,
          impact: spec.impact,
          signal: spec.signal,
          assignment_id: spec.assignment ? assignment[spec.assignment]! : null,
          coaching_plan_id: spec.plan ? plan[spec.plan] : null,
          created_at: at(spec.on, "16:30"),
          updated_at: at(spec.on, "16:30"),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      if (spec.key) observation[spec.key] = row.id;
      await trx
        .insertInto("observation_dimensions")
        .values(
          spec.dimensions.map((d) => ({ observation_id: row.id, dimension_id: dimension[d] })),
        )
        .execute();
    }

    // Anti-pattern flags with their event history.
    const flag: Record<string, string> = {};
    for (const spec of FLAGS) {
      const last = spec.transitions[spec.transitions.length - 1];
      const status: FlagStatus = last ? last.to : "open";
      const closed = status === "resolved" || status === "dismissed";
      if (closed !== (spec.resolution !== undefined))
        throw new Error(`seedDemo: flag ${spec.key} resolution mismatch`);
      const lastOn = Math.max(
        spec.raised,
        spec.discussed?.on ?? spec.raised,
        last?.on ?? spec.raised,
      );
      const row = await trx
        .insertInto("flags")
        .values({
          candidate_id: candidate[spec.candidate],
          anti_pattern_id: antiPattern[spec.antiPattern],
          raised_by: user[spec.raisedBy],
          observed_on: day(spec.observed),
          situation: spec.situation,
          behavior: spec.behavior,
          impact: spec.impact,
          discussed_with_candidate_on: spec.discussed ? day(spec.discussed.on) : null,
          status,
          resolution: closed ? spec.resolution! : null,
          resolved_by: closed ? user[last!.by] : null,
          resolved_at: closed ? at(last!.on, "14:00") : null,
          version: 1 + (spec.discussed ? 1 : 0) + spec.transitions.length,
          created_at: at(spec.raised, "13:00"),
          updated_at: at(lastOn, "14:00"),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      flag[spec.key] = row.id;
      const events: Array<{
        flag_id: string;
        kind: "raised" | "discussed" | "status";
        from_status: FlagStatus | null;
        to_status: FlagStatus | null;
        note: string;
        changed_by: string;
        created_at: string;
      }> = [
        {
          flag_id: row.id,
          kind: "raised",
          from_status: null,
          to_status: "open",
          note: "",
          changed_by: user[spec.raisedBy],
          created_at: at(spec.raised, "13:00"),
        },
      ];
      if (spec.discussed) {
        events.push({
          flag_id: row.id,
          kind: "discussed",
          from_status: null,
          to_status: null,
          note: spec.discussed.note,
          changed_by: user[spec.discussed.by],
          created_at: at(spec.discussed.on, "13:30"),
        });
      }
      let from: FlagStatus = "open";
      for (const transition of spec.transitions) {
        events.push({
          flag_id: row.id,
          kind: "status",
          from_status: from,
          to_status: transition.to,
          note: transition.note,
          changed_by: user[transition.by],
          created_at: at(transition.on, "14:00"),
        });
        from = transition.to;
      }
      await trx.insertInto("flag_events").values(events).execute();
    }
    for (const spec of PLANS) {
      if (spec.flags.length === 0) continue;
      await trx
        .insertInto("coaching_plan_flags")
        .values(spec.flags.map((f) => ({ plan_id: plan[spec.key], flag_id: flag[f]! })))
        .execute();
    }

    // The past calibration meeting: closed, with pre-reads, decisions and cited evidence.
    const pastMeeting = await trx
      .insertInto("calibration_meetings")
      .values({
        title: `Leadership calibration, ${monthTitle(CALIBRATION_DAY)}`,
        scheduled_for: at(CALIBRATION_DAY, "14:00"),
        facilitator_id: user.leader,
        status: "closed",
        timebox_minutes: 20,
        created_by: user.leader,
        closed_at: at(CALIBRATION_DAY, "16:10"),
        version: 3,
        created_at: at(-56, "09:00"),
        updated_at: at(CALIBRATION_DAY, "16:10"),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const pastAttendees: UserKey[] = ["leader", "manager", "manager2"];
    await trx
      .insertInto("calibration_attendees")
      .values(
        pastAttendees.map((u) => ({
          meeting_id: pastMeeting.id,
          user_id: user[u],
          created_at: at(-56, "09:00"),
        })),
      )
      .execute();

    const pastItems: Array<{
      key: DecisionKey;
      prereads: Array<{ by: UserKey; leaning: Leaning; view: string }>;
      /** The second round, after the discussion (issue 22). */
      finals: Array<{ by: UserKey; leaning: Leaning; note?: string }>;
      /** Minutes the meeting timer measured. */
      minutes: number;
      decision: {
        outcome: Leaning;
        rationale: string;
        dissent?: string;
        next_steps: string;
        revisit?: number;
      };
      evidence: { observations: string[]; flags: string[]; assignments: string[] };
    }> = [
      {
        key: "daniel",
        prereads: [
          {
            by: "manager2",
            leaning: "ready_now",
            view: "The feature evaluation and the service-mesh discussion show exactly the judgement we want at staff level. He took the planning feedback seriously and the workshop that followed was excellent.",
          },
          {
            by: "leader",
            leaning: "ready_now",
            view: "The Kubernetes upgrade was led through other teams, not done by him. Evidence from two observers across most of a year.",
          },
          {
            by: "manager",
            leaning: "ready_with_development",
            view: "Strong technically. The planning episode was only a few months ago and we have one example of the better approach; I would like to see one more cycle.",
          },
        ],
        finals: [
          { by: "manager2", leaning: "ready_now" },
          { by: "leader", leaning: "ready_now" },
          {
            by: "manager",
            leaning: "ready_with_development",
            note: "Still one planning cycle short for me, but I can live with ready now.",
          },
        ],
        minutes: 24,
        decision: {
          outcome: "ready_now",
          rationale:
            "Consistent technical leadership evidence over nine months from two observers, including a clear 'don't build' decision with a written record. The people-skills concern from planning was discussed with him and the next planning round showed a real change.",
          dissent:
            "Marcus would have preferred one more planning cycle of evidence before moving to ready.",
          next_steps:
            "Staff engineer role on Platform when headcount opens. Until then he leads the cross-team reliability review.",
        },
        evidence: {
          observations: [
            "daniel_mesh",
            "daniel_technical_debrief",
            "daniel_planning",
            "daniel_workshop",
            "daniel_upgrade",
          ],
          flags: [],
          assignments: ["daniel_technical"],
        },
      },
      {
        key: "ravi",
        prereads: [
          {
            by: "manager2",
            leaning: "not_yet",
            view: "Deep expertise and generous with the analysts, but the commitment test was not completed and the feature evaluation leaned towards building for the sake of it. The territoriality flag is resolved, but only just.",
          },
          {
            by: "leader",
            leaning: "ready_with_development",
            view: "The coaching plan is working: the change-request guide was his idea. I would keep going rather than pause.",
          },
        ],
        finals: [
          { by: "manager2", leaning: "not_yet" },
          {
            by: "leader",
            leaning: "not_yet",
            note: "The commitment gap and the warehouse move together: pausing is kinder than stretching him now.",
          },
          { by: "manager", leaning: "not_yet" },
        ],
        minutes: 31,
        decision: {
          outcome: "not_yet",
          rationale:
            "Real strengths in technical depth and in sharing knowledge, and the territoriality flag was handled well. But there is no evidence either way on commitment, and the feature evaluation showed him favouring the interesting build over the customer's need. The warehouse move leaves no room for stretch work this quarter.",
          next_steps:
            "Pause the coaching plan during the warehouse move. Offer the commitment sniff test again afterwards and bring him back with fresh evidence.",
          revisit: 50,
        },
        evidence: {
          observations: ["ravi_office_hours", "ravi_technical_debrief", "ravi_commitment_note"],
          flags: ["ravi_territory"],
          assignments: ["ravi_commitment"],
        },
      },
      {
        key: "sophie",
        prereads: [
          {
            by: "manager",
            leaning: "ready_now",
            view: "Nine months of evidence: the refund incident, both sniff tests and a coaching plan closed with its goals met. She already works through others.",
          },
          {
            by: "manager2",
            leaning: "ready_now",
            view: "In the ledger API review she put Platform's constraints first and let go of her own option. I would be happy to work alongside her as a peer.",
          },
          {
            by: "leader",
            leaning: "ready_now",
            view: "At the leadership forum she gave the credit to her engineers and let them take the hard questions.",
          },
        ],
        finals: [
          { by: "manager", leaning: "ready_now" },
          { by: "manager2", leaning: "ready_now" },
          { by: "leader", leaning: "ready_now" },
        ],
        minutes: 12,
        decision: {
          outcome: "ready_now",
          rationale:
            "Three independent observers over nine months describe her coordinating across teams and handing both work and credit to others. Both sniff tests were completed with lasting results, and the coaching plan on delegation closed with its goals met.",
          next_steps:
            "Consider her for the Engineering Manager role when Payments splits into two teams.",
        },
        evidence: {
          observations: [
            "sophie_refund",
            "sophie_commitment_debrief",
            "sophie_outcome_debrief",
            "sophie_forum",
          ],
          flags: [],
          assignments: ["sophie_outcome"],
        },
      },
      {
        key: "hannah",
        prereads: [
          {
            by: "manager",
            leaning: "ready_with_development",
            view: "The quality review she built ran without her for three weeks, which is the clearest outcome-orientation evidence we have. The volume flag is real and recent; she owned it when we discussed it.",
          },
          {
            by: "leader",
            leaning: "ready_with_development",
            view: "Drive and ownership are there. Coaching should focus on how she chairs decisions.",
          },
          {
            by: "manager2",
            leaning: "not_yet",
            view: "Two people-skills concerns within a month is a pattern. I would want to see it change before we talk about readiness.",
          },
        ],
        finals: [
          { by: "manager", leaning: "ready_with_development" },
          { by: "leader", leaning: "ready_with_development" },
          {
            by: "manager2",
            leaning: "not_yet",
            note: "The release-date retro Marcus added matches what I saw; I still want the change first.",
          },
        ],
        minutes: 22,
        decision: {
          outcome: "ready_with_development",
          rationale:
            "Outstanding outcome orientation: the release train and a quality review that keeps running without her. The flag and the retro observation point to one clear development area, how she handles disagreement, which she has already acknowledged.",
          dissent: "Priya leaned towards not yet until the behaviour has visibly changed.",
          next_steps:
            "Coaching plan with Tom on listening and shared decisions, addressing the open flag. Bring back to calibration in about three months.",
        },
        evidence: {
          observations: ["hannah_release", "hannah_outcome_debrief", "hannah_retro"],
          flags: ["hannah_volume"],
          assignments: ["hannah_outcome"],
        },
      },
    ];

    const decision = {} as Record<DecisionKey, string>;
    const roles = await seedReadinessRoles(trx, user.leader);
    const pastItemIds: string[] = [];
    for (const [index, item] of pastItems.entries()) {
      const opened = `${String(14 + Math.floor((5 + index * 30) / 60)).padStart(2, "0")}:${String((5 + index * 30) % 60).padStart(2, "0")}`;
      const decided = `${String(14 + Math.floor((25 + index * 30) / 60)).padStart(2, "0")}:${String((25 + index * 30) % 60).padStart(2, "0")}`;
      const itemRow = await trx
        .insertInto("calibration_items")
        .values({
          meeting_id: pastMeeting.id,
          candidate_id: candidate[item.key],
          position: index + 1,
          opened_at: at(CALIBRATION_DAY, opened),
          created_at: at(-56, "09:00"),
          // Sealed until every attendee had written one (the last pre-read revealed them), except
          // Ravi's: Marcus had not written one, so Lena opened it anyway, which is recorded.
          revealed_at:
            item.prereads.length === pastAttendees.length
              ? at(-45 + item.prereads.length - 1, "18:00")
              : at(CALIBRATION_DAY, opened),
          revealed_early_by: item.prereads.length === pastAttendees.length ? null : user.leader,
          discussion_seconds: item.minutes * 60,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      pastItemIds.push(itemRow.id);
      await trx
        .insertInto("calibration_final_leanings")
        .values(
          item.finals.map((f) => ({
            item_id: itemRow.id,
            user_id: user[f.by],
            leaning: f.leaning,
            note: f.note ?? null,
            created_at: at(CALIBRATION_DAY, decided),
            updated_at: at(CALIBRATION_DAY, decided),
          })),
        )
        .execute();
      await trx
        .insertInto("calibration_packet_reads")
        .values(
          pastAttendees.map((u, i) => ({
            item_id: itemRow.id,
            user_id: user[u],
            read_at: at(-46 + i, "17:00"),
          })),
        )
        .execute();
      await trx
        .insertInto("calibration_prereads")
        .values(
          item.prereads.map((p, i) => ({
            item_id: itemRow.id,
            user_id: user[p.by],
            view: p.view,
            leaning: p.leaning,
            created_at: at(-45 + i, "18:00"),
            updated_at: at(-45 + i, "18:00"),
          })),
        )
        .execute();
      const d = item.decision;
      const decisionRow = await trx
        .insertInto("calibration_decisions")
        .values({
          item_id: itemRow.id,
          outcome: d.outcome,
          rationale: d.rationale,
          dissent: d.dissent ?? null,
          next_steps: d.next_steps,
          revisit_on: d.revisit === undefined ? null : day(d.revisit),
          decided_by: user.leader,
          decided_at: at(CALIBRATION_DAY, decided),
          created_at: at(CALIBRATION_DAY, decided),
          // The decision names what it is about: a role, not "potential".
          readiness_role_id:
            item.key === "sophie" ? (roles["Engineering manager"]?.id ?? null) : null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      decision[item.key] = decisionRow.id;
      await trx
        .insertInto("calibration_decision_evidence")
        .values([
          ...item.evidence.observations.map((o) => ({
            decision_id: decisionRow.id,
            observation_id: observation[o]!,
            flag_id: null,
            assignment_id: null,
          })),
          ...item.evidence.flags.map((f) => ({
            decision_id: decisionRow.id,
            observation_id: null,
            flag_id: flag[f]!,
            assignment_id: null,
          })),
          ...item.evidence.assignments.map((a) => ({
            decision_id: decisionRow.id,
            observation_id: null,
            flag_id: null,
            assignment_id: assignment[a]!,
          })),
        ])
        .execute();
    }

    // The unique-evidence round: before Hannah's item was opened, Marcus added what only he had seen.
    const added = await trx
      .insertInto("observations")
      .values({
        candidate_id: candidate.hannah,
        author_id: user.manager,
        observed_on: day(CALIBRATION_DAY - 3),
        situation: "Release-date review for the tablet app, three days before calibration.",
        behavior:
          "Stopped herself mid-sentence, asked the two engineers who had raised the risk to finish, and wrote their concern into the plan.",
        impact:
          "The date moved by a week before it could slip, and the engineers raised the next risk early.",
        signal: "strength",
        created_at: at(CALIBRATION_DAY, "13:30"),
        updated_at: at(CALIBRATION_DAY, "13:30"),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("observation_dimensions")
      .values({ observation_id: added.id, dimension_id: dimension.people_skills })
      .execute();
    await trx
      .insertInto("calibration_item_additions")
      .values({
        item_id: pastItemIds[3],
        observation_id: added.id,
        added_by: user.manager,
        created_at: at(CALIBRATION_DAY, "13:30"),
      })
      .execute();
    // "Revisit the early cases": the first of four (a third, at least one) was reopened at the end;
    // the decision stayed.
    await trx
      .insertInto("calibration_revisits")
      .values({
        item_id: pastItemIds[0],
        opened_by: user.leader,
        opened_at: at(CALIBRATION_DAY, "16:02"),
        decision_before: decision.daniel,
        closed_at: at(CALIBRATION_DAY, "16:10"),
      })
      .execute();

    // The next calibration meeting: planned, agenda set, one pre-read already in.
    const nextMeeting = await trx
      .insertInto("calibration_meetings")
      .values({
        title: `Leadership calibration, ${monthTitle(10)}`,
        scheduled_for: at(10, "14:00"),
        facilitator_id: user.leader,
        status: "planned",
        timebox_minutes: null,
        created_by: user.leader,
        created_at: at(-5, "09:00"),
        updated_at: at(-5, "09:00"),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("calibration_attendees")
      .values(
        (["leader", "manager", "manager2"] as UserKey[]).map((u) => ({
          meeting_id: nextMeeting.id,
          user_id: user[u],
          created_at: at(-5, "09:00"),
        })),
      )
      .execute();
    const nextItems: CandidateKey[] = ["owen", "grace", "chloe"];
    const nextItemId = {} as Record<string, string>;
    for (const [index, key] of nextItems.entries()) {
      const row = await trx
        .insertInto("calibration_items")
        .values({
          meeting_id: nextMeeting.id,
          candidate_id: candidate[key],
          position: index + 1,
          opened_at: null,
          created_at: at(-5, "09:05"),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      nextItemId[key] = row.id;
    }
    await trx
      .insertInto("calibration_packet_reads")
      .values({ item_id: nextItemId.owen!, user_id: user.manager2, read_at: at(-2, "17:30") })
      .execute();
    await trx
      .insertInto("calibration_prereads")
      .values({
        item_id: nextItemId.owen!,
        user_id: user.manager2,
        view: "Curiosity is clearly there and it has already changed how the team works. Very little evidence yet on commitment or people skills; the commitment sniff test is due shortly.",
        leaning: "insufficient_evidence",
        created_at: at(-2, "17:45"),
        updated_at: at(-2, "17:45"),
      })
      .execute();

    // Stage history, now that the decisions it cites exist.
    for (const spec of CANDIDATES) {
      let from: Stage | null = null;
      for (const step of spec.history) {
        await trx
          .insertInto("stage_changes")
          .values({
            candidate_id: candidate[spec.key],
            from_stage: from,
            to_stage: step.to,
            changed_by: user[step.by],
            reason: step.reason,
            calibration_decision_id: step.decision ? decision[step.decision] : null,
            created_at: at(step.on, stepTime(step, from === null)),
          })
          .execute();
        from = step.to;
      }
    }

    // The directory: the accounts' and candidates' places, everyone else, then the managers by address.
    const personByEmail = new Map<string, string>();
    for (const u of DEMO_USERS) {
      const place = ACCOUNT_PLACES[u.key];
      const row = await trx
        .updateTable("people")
        .set({ title: place.title, team: place.team })
        .where("user_id", "=", user[u.key])
        .returning("id")
        .executeTakeFirstOrThrow();
      personByEmail.set(u.email, row.id);
    }
    const candidatePerson = {} as Record<CandidateKey, string>;
    for (const row of await trx
      .selectFrom("candidates")
      .select(["id", "person_id", "email"])
      .execute()) {
      const spec = CANDIDATES.find((c) => candidate[c.key] === row.id);
      if (!spec) continue;
      candidatePerson[spec.key] = row.person_id;
      if (row.email) personByEmail.set(row.email, row.person_id);
    }
    const joined = await trx
      .insertInto("people")
      .values(
        DIRECTORY.map((p) => ({
          name: p.name,
          email: address(p.name),
          title: p.title,
          team: p.team,
          left_on: p.leftOn === undefined ? null : day(p.leftOn),
          created_at: at(-330, "08:10"),
          updated_at: at(p.leftOn ?? -330, "08:10"),
        })),
      )
      .returning(["id", "email"])
      .execute();
    for (const row of joined) personByEmail.set(row.email!, row.id);
    const managerOf = (email: string) => {
      const id = personByEmail.get(email);
      if (!id) throw new Error(`seedDemo: no person with the address ${email}`);
      return id;
    };
    const reportsTo: Array<{ person: string; manager: string }> = [
      ...DEMO_USERS.flatMap((u) => {
        const m = ACCOUNT_PLACES[u.key].manager;
        return m ? [{ person: managerOf(u.email), manager: managerOf(m) }] : [];
      }),
      ...CANDIDATES.map((c) => ({
        person: candidatePerson[c.key],
        manager: managerOf(CANDIDATE_MANAGERS[c.key]),
      })),
      ...DIRECTORY.map((p) => ({
        person: managerOf(address(p.name)),
        manager: managerOf(p.manager),
      })),
    ];
    for (const { person, manager } of reportsTo) {
      await trx
        .updateTable("people")
        .set({ manager_id: manager })
        .where("id", "=", person)
        .execute();
    }

    // One group offering: the commitment sniff test to Platform, with everyone's response so far.
    const offered = PLATFORM_OFFERING;
    const offeredTest = test[offered.test];
    const offering = await trx
      .insertInto("sniff_test_offerings")
      .values({
        sniff_test_id: offeredTest.id,
        sniff_test_revision_id: offeredTest.revisionId,
        offered_by: user[offered.by],
        audience: offered.team,
        offered_on: day(offered.offered),
        due_on: day(offered.due),
        created_at: at(offered.offered, "09:00"),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    for (const r of offered.responses) {
      const { closed, accepted } = r;
      const lastChange = closed ?? accepted ?? offered.offered;
      const row = await trx
        .insertInto("sniff_test_assignments")
        .values({
          sniff_test_id: offeredTest.id,
          sniff_test_revision_id: offeredTest.revisionId,
          person_id: managerOf(address(r.name)),
          offering_id: offering.id,
          assigned_by: user[offered.by],
          offered_on: day(offered.offered),
          due_on: day(offered.due),
          status: r.status,
          closed_on: closed === undefined ? null : day(closed),
          version: 1 + (accepted === undefined ? 0 : 1) + (closed === undefined ? 0 : 1),
          created_at: at(offered.offered, "09:00"),
          updated_at: at(lastChange, "17:00"),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const events: Array<{
        assignment_id: string;
        from_status: AssignmentStatus | null;
        to_status: AssignmentStatus;
        changed_by: string;
        note: string;
        created_at: string;
      }> = [
        {
          assignment_id: row.id,
          from_status: null,
          to_status: "offered",
          changed_by: user[offered.by],
          note: "",
          created_at: at(offered.offered, "09:00"),
        },
      ];
      if (accepted !== undefined)
        events.push({
          assignment_id: row.id,
          from_status: "offered",
          to_status: "accepted",
          changed_by: user[offered.by],
          note: "",
          created_at: at(accepted, "12:00"),
        });
      if (closed !== undefined)
        events.push({
          assignment_id: row.id,
          from_status: accepted === undefined ? "offered" : "accepted",
          to_status: r.status,
          changed_by: user[offered.by],
          note: r.note ?? "",
          created_at: at(closed, "17:00"),
        });
      await trx.insertInto("sniff_test_assignment_events").values(events).execute();
    }

    await trx
      .insertInto("audit_events")
      .values({
        actor_id: null,
        action: "seed.demo",
        entity: "database",
        entity_id: null,
        outcome: "ok",
        details: JSON.stringify({
          candidates: CANDIDATES.length,
          people: DEMO_USERS.length + CANDIDATES.length + DIRECTORY.length,
          today,
        }),
      })
      .execute();
  });
}

async function insertUsers(trx: Transaction<Database>, passwordHash: string, createdAt: string) {
  const rows = await trx
    .insertInto("users")
    .values(
      DEMO_USERS.map((u) => ({
        email: u.email,
        name: u.name,
        password_hash: passwordHash,
        roles: u.roles,
        created_at: createdAt,
        updated_at: createdAt,
      })),
    )
    .returning(["id", "email"])
    .execute();
  // The demo's accounts share one published password, so a second factor would only be in the way of
  // clicking through: the demo asks no role for one. A real installation asks admins and leaders
  // (app/auth/login-stages.server.ts); an admin changes it under Admin → Sign-in.
  await trx
    .insertInto("settings")
    .values({ key: "mfa_required_roles", value: JSON.stringify([]), updated_by: null })
    .execute();
  const byEmail = new Map(rows.map((r) => [r.email, r.id]));
  const user = {} as Record<UserKey, string>;
  for (const u of DEMO_USERS) user[u.key] = byEmail.get(u.email)!;
  return user;
}

async function insertFramework(trx: Transaction<Database>, createdAt: string) {
  const rows = await trx
    .insertInto("dimensions")
    .values(
      DIMENSIONS.map((d, i) => ({
        ...d,
        position: i + 1,
        created_at: createdAt,
        updated_at: createdAt,
      })),
    )
    .returning(["id", "key"])
    .execute();
  return Object.fromEntries(rows.map((r) => [r.key, r.id])) as Record<DimensionKey, string>;
}

async function insertAntiPatterns(trx: Transaction<Database>, createdAt: string) {
  const rows = await trx
    .insertInto("anti_patterns")
    .values(
      ANTI_PATTERNS.map((a, i) => ({
        ...a,
        position: i + 1,
        created_at: createdAt,
        updated_at: createdAt,
      })),
    )
    .returning(["id", "key"])
    .execute();
  return Object.fromEntries(rows.map((r) => [r.key, r.id])) as Record<AntiPatternKey, string>;
}

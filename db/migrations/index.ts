import type { Migration, MigrationProvider } from "kysely/migration";
import * as m0001 from "./2026-11-21-0001-initial";
import * as m0002 from "./2026-11-21-0002-performance-indexes";
import * as m0003 from "./2026-11-21-0003-scale-indexes";
import * as m0004 from "./2026-11-21-0004-evidence-coverage";
import * as m0005 from "./2026-11-21-0005-list-indexes";
import * as m0006 from "./2026-11-21-0006-evidence-coverage-locks";
import * as m0007 from "./2026-12-01-0007-frozen-packets-audit-scrub";
import * as m0008 from "./2026-12-01-0008-login-throttle";
import * as m0009 from "./2026-12-01-0009-readiness-probe";
import * as m0010 from "./2026-12-01-0010-people";
import * as m0011 from "./2026-12-01-0011-scim";
import * as m0012 from "./2026-12-01-0012-notifications";
import * as m0013 from "./2026-12-02-0013-accounts";
import * as m0014 from "./2026-12-02-0014-calibration-rounds";
import * as m0015 from "./2026-12-02-0015-readiness-roles";
import * as m0016 from "./2026-12-02-0016-candidate-card-facts";
import * as m0017 from "./2026-12-02-0017-my-week-indexes";
import * as m0018 from "./2026-12-02-0018-people-team-counts";

// A static list: the bundled server build has no migration files on disk to scan.
const migrations: Record<string, Migration> = {
  "2026-11-21-0001-initial": m0001,
  "2026-11-21-0002-performance-indexes": m0002,
  "2026-11-21-0003-scale-indexes": m0003,
  "2026-11-21-0004-evidence-coverage": m0004,
  "2026-11-21-0005-list-indexes": m0005,
  "2026-11-21-0006-evidence-coverage-locks": m0006,
  "2026-12-01-0007-frozen-packets-audit-scrub": m0007,
  "2026-12-01-0008-login-throttle": m0008,
  "2026-12-01-0009-readiness-probe": m0009,
  "2026-12-01-0010-people": m0010,
  "2026-12-01-0011-scim": m0011,
  "2026-12-01-0012-notifications": m0012,
  "2026-12-02-0013-accounts": m0013,
  "2026-12-02-0014-calibration-rounds": m0014,
  "2026-12-02-0015-readiness-roles": m0015,
  "2026-12-02-0016-candidate-card-facts": m0016,
  "2026-12-02-0017-my-week-indexes": m0017,
  "2026-12-02-0018-people-team-counts": m0018,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};

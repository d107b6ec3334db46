import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code.
//
// How many people each team of the directory has, active and left, kept by the database (issue 23).
// The directory (/people) showed its total and its team filter by counting and grouping every person
// on each request, so its cost grew with the organisation (1.56 × from 1,300 to 10,300 people). With
// this table the total of an unsearched list and the team choices are read from one row per team.
// Statement-level triggers add each statement's changes per team (new rows count +1, old rows -1) as
// upserts in team order, so concurrent writers lock the teams' rows in one order; a statement that
// moves nobody between teams or in or out of "left" writes nothing; a TRUNCATE empties the table. No
// CHECK (>= 0) on the counts: an upsert checks the row it would insert, whose change may be negative.
const statements = [
  `CREATE TABLE people_team_counts (
     team text PRIMARY KEY,
     active integer NOT NULL DEFAULT 0,
     gone integer NOT NULL DEFAULT 0
   )`,
  `CREATE FUNCTION people_team_counts_apply() RETURNS trigger AS $$
   BEGIN
     IF TG_OP = 'INSERT' THEN
       INSERT INTO people_team_counts AS c (team, active, gone)
       SELECT team, count(*) FILTER (WHERE left_on IS NULL), count(*) FILTER (WHERE left_on IS NOT NULL)
       FROM new_rows GROUP BY team ORDER BY team
       ON CONFLICT (team) DO UPDATE SET active = c.active + excluded.active, gone = c.gone + excluded.gone;
     ELSIF TG_OP = 'DELETE' THEN
       INSERT INTO people_team_counts AS c (team, active, gone)
       SELECT team, -count(*) FILTER (WHERE left_on IS NULL), -count(*) FILTER (WHERE left_on IS NOT NULL)
       FROM old_rows GROUP BY team ORDER BY team
       ON CONFLICT (team) DO UPDATE SET active = c.active + excluded.active, gone = c.gone + excluded.gone;
     ELSIF TG_OP = 'TRUNCATE' THEN
       DELETE FROM people_team_counts;
     ELSE
       INSERT INTO people_team_counts AS c (team, active, gone)
       SELECT team, sum(active), sum(gone) FROM (
         SELECT team, (left_on IS NULL)::int AS active, (left_on IS NOT NULL)::int AS gone FROM new_rows
         UNION ALL
         SELECT team, -(left_on IS NULL)::int, -(left_on IS NOT NULL)::int FROM old_rows
       ) d
       GROUP BY team HAVING sum(active) <> 0 OR sum(gone) <> 0 ORDER BY team
       ON CONFLICT (team) DO UPDATE SET active = c.active + excluded.active, gone = c.gone + excluded.gone;
     END IF;
     RETURN NULL;
   END $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER people_team_counts_insert AFTER INSERT ON people
     REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION people_team_counts_apply()`,
  `CREATE TRIGGER people_team_counts_update AFTER UPDATE ON people
     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
     FOR EACH STATEMENT EXECUTE FUNCTION people_team_counts_apply()`,
  `CREATE TRIGGER people_team_counts_delete AFTER DELETE ON people
     REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION people_team_counts_apply()`,
  `CREATE TRIGGER people_team_counts_truncate AFTER TRUNCATE ON people
     FOR EACH STATEMENT EXECUTE FUNCTION people_team_counts_apply()`,
  // Taken after the triggers exist and under a lock that stops writers, so no change falls between.
  `LOCK TABLE people IN SHARE MODE`,
  `INSERT INTO people_team_counts (team, active, gone)
   SELECT team, count(*) FILTER (WHERE left_on IS NULL), count(*) FILTER (WHERE left_on IS NOT NULL)
   FROM people GROUP BY team`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const trigger of ["insert", "update", "delete", "truncate"])
    await sql.raw(`DROP TRIGGER IF EXISTS people_team_counts_${trigger} ON people`).execute(db);
  await sql`DROP FUNCTION IF EXISTS people_team_counts_apply()`.execute(db);
  await sql`DROP TABLE IF EXISTS people_team_counts`.execute(db);
}

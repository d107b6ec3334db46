import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code.
//
// The organisation's people (decision 0017). `people` is the directory: everyone, nominated or not,
// with an account or not. A candidate is a person who has been nominated: candidates.person_id. The
// candidate keeps its copy of the directory facts it had (name, email, title, team), which the pages of
// the pipeline read in one table; two row triggers keep both sides equal, whichever is written (a
// change made through the directory reaches the candidate, a change made on the candidate's edit page
// reaches the directory), and a candidate inserted without a person gets one. A statement trigger
// refuses a cycle in the manager chain after any insert or update, however many rows it changed.
//
// A sniff test is now offered to a person (sniff_test_assignments.person_id); candidate_id is set when
// that person is a candidate, and set on all their assignments when they are nominated. An offering
// groups the assignments made at once to several people.
const up_ = [
  `CREATE TABLE people (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(trim(name)) > 0),
    email text CHECK (email = lower(email) AND email LIKE '%_@_%'),
    title text NOT NULL DEFAULT '',
    team text NOT NULL DEFAULT '',
    manager_id uuid REFERENCES people(id) ON DELETE SET NULL CHECK (manager_id <> id),
    user_id uuid UNIQUE REFERENCES users(id) ON DELETE SET NULL,
    left_on date,
    created_by uuid REFERENCES users(id),
    idempotency_key uuid UNIQUE,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE UNIQUE INDEX people_email_key ON people (email)`,
  `CREATE INDEX people_manager_idx ON people (manager_id)`,
  `CREATE INDEX people_name_idx ON people (lower(name), id)`,
  `CREATE INDEX people_team_idx ON people (team)`,
  `CREATE TRIGGER people_touch BEFORE UPDATE ON people FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`,

  // Backfill: a person for every candidate (the first candidate with an address keeps it), then one for
  // every account whose address no candidate has; accounts are linked by address.
  `ALTER TABLE candidates ADD COLUMN person_id uuid DEFAULT gen_random_uuid()`,
  `ALTER TABLE candidates ALTER COLUMN person_id DROP DEFAULT`,
  `INSERT INTO people (id, name, email, title, team, created_at)
     SELECT c.person_id, c.name,
            CASE WHEN c.email LIKE '%_@_%'
                  AND row_number() OVER (PARTITION BY lower(c.email) ORDER BY c.created_at, c.id) = 1
                 THEN lower(c.email) END,
            c.title, c.team, c.created_at
     FROM candidates c`,
  `INSERT INTO people (name, email, created_at)
     SELECT u.name, u.email, u.created_at FROM users u
     WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.email = u.email)`,
  `UPDATE people p SET user_id = u.id FROM users u WHERE u.email = p.email`,
  `UPDATE people p SET manager_id = mp.id
     FROM candidates c JOIN people mp ON mp.user_id = c.manager_id
     WHERE c.person_id = p.id AND mp.id <> p.id`,
  // Two managers who were each other's candidates would loop: they keep no manager (before the check).
  `UPDATE people SET manager_id = NULL WHERE id IN (
     WITH RECURSIVE up(start, id, depth) AS (
       SELECT id, manager_id, 1 FROM people WHERE manager_id IS NOT NULL
       UNION ALL
       SELECT up.start, p.manager_id, up.depth + 1 FROM up JOIN people p ON p.id = up.id
       WHERE p.manager_id IS NOT NULL AND up.id <> up.start AND up.depth < 10000
     ) SELECT start FROM up WHERE id = start)`,
  `ALTER TABLE candidates ALTER COLUMN person_id SET NOT NULL`,
  `ALTER TABLE candidates ADD CONSTRAINT candidates_person_id_key UNIQUE (person_id)`,
  `ALTER TABLE candidates ADD CONSTRAINT candidates_person_id_fkey FOREIGN KEY (person_id) REFERENCES people(id)`,
  `ALTER TABLE candidates ADD CONSTRAINT candidates_id_person_id_key UNIQUE (id, person_id)`,

  // Both sides of the copy stay equal. Only a change made directly (trigger depth 1) is passed on, so
  // the copy made by one trigger does not start the other.
  `CREATE FUNCTION candidates_follow_person() RETURNS trigger AS $$
   DECLARE p people%ROWTYPE;
   BEGIN
     IF TG_OP = 'INSERT' AND NEW.person_id IS NULL THEN
       IF NEW.email IS NOT NULL THEN
         SELECT * INTO p FROM people WHERE email = lower(NEW.email);
       END IF;
       IF p.id IS NULL THEN
         INSERT INTO people (name, email, title, team)
           VALUES (NEW.name, lower(NEW.email), NEW.title, NEW.team) RETURNING * INTO p;
       END IF;
       NEW.person_id := p.id;
     ELSIF TG_OP = 'UPDATE' AND pg_trigger_depth() = 1
       AND (NEW.name, NEW.email, NEW.title, NEW.team) IS DISTINCT FROM (OLD.name, OLD.email, OLD.title, OLD.team) THEN
       NEW.email := lower(NEW.email);
       UPDATE people SET name = NEW.name, email = NEW.email, title = NEW.title, team = NEW.team,
              version = version + 1
         WHERE id = NEW.person_id;
       RETURN NEW;
     ELSIF TG_OP = 'UPDATE' THEN
       RETURN NEW;
     ELSE
       SELECT * INTO p FROM people WHERE id = NEW.person_id;
     END IF;
     NEW.name := p.name; NEW.email := p.email; NEW.title := p.title; NEW.team := p.team;
     RETURN NEW;
   END $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER candidates_follow_person BEFORE INSERT OR UPDATE ON candidates
     FOR EACH ROW EXECUTE FUNCTION candidates_follow_person()`,
  // Nominating a person carries the sniff tests already offered to them into their record.
  `CREATE FUNCTION candidates_take_assignments() RETURNS trigger AS $$
   BEGIN
     UPDATE sniff_test_assignments SET candidate_id = NEW.id
       WHERE person_id = NEW.person_id AND candidate_id IS NULL;
     RETURN NULL;
   END $$ LANGUAGE plpgsql`,
  `CREATE FUNCTION people_to_candidate() RETURNS trigger AS $$
   BEGIN
     IF pg_trigger_depth() = 1
       AND (NEW.name, NEW.email, NEW.title, NEW.team) IS DISTINCT FROM (OLD.name, OLD.email, OLD.title, OLD.team) THEN
       -- A new version: an edit form read before this change is stale and answers 409, not overwrite it.
       UPDATE candidates SET name = NEW.name, email = NEW.email, title = NEW.title, team = NEW.team,
              version = version + 1
         WHERE person_id = NEW.id;
     END IF;
     RETURN NULL;
   END $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER people_to_candidate AFTER UPDATE ON people
     FOR EACH ROW EXECUTE FUNCTION people_to_candidate()`,

  // No one manages themselves through others: checked on the rows a statement wrote, after all of them.
  `CREATE FUNCTION people_no_manager_cycle() RETURNS trigger AS $$
   BEGIN
     IF EXISTS (
       WITH RECURSIVE up(start, id, depth) AS (
         SELECT n.id, n.manager_id, 1 FROM changed n WHERE n.manager_id IS NOT NULL
         UNION ALL
         SELECT up.start, p.manager_id, up.depth + 1 FROM up JOIN people p ON p.id = up.id
         WHERE p.manager_id IS NOT NULL AND up.id <> up.start AND up.depth < 10000
       ) SELECT 1 FROM up WHERE up.id = up.start
     ) THEN
       RAISE EXCEPTION 'a manager chain may not loop back to the same person'
         USING ERRCODE = 'check_violation', CONSTRAINT = 'people_no_manager_cycle';
     END IF;
     RETURN NULL;
   END $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER people_no_manager_cycle_insert AFTER INSERT ON people
     REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION people_no_manager_cycle()`,
  `CREATE TRIGGER people_no_manager_cycle_update AFTER UPDATE ON people
     REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION people_no_manager_cycle()`,

  // An account belongs to the person with its address, or to a new person.
  `CREATE FUNCTION users_join_directory() RETURNS trigger AS $$
   BEGIN
     UPDATE people SET user_id = NEW.id WHERE email = NEW.email AND user_id IS NULL;
     IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM people WHERE email = NEW.email) THEN
       INSERT INTO people (name, email, user_id) VALUES (NEW.name, NEW.email, NEW.id);
     END IF;
     RETURN NULL;
   END $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER users_join_directory AFTER INSERT ON users
     FOR EACH ROW EXECUTE FUNCTION users_join_directory()`,

  // Sniff tests offered to a group; a test that needs no acceptance closes in one step.
  `ALTER TABLE sniff_tests ADD COLUMN needs_acceptance boolean NOT NULL DEFAULT true`,
  `CREATE TABLE sniff_test_offerings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sniff_test_id uuid NOT NULL REFERENCES sniff_tests(id),
    sniff_test_revision_id uuid NOT NULL REFERENCES sniff_test_revisions(id),
    offered_by uuid NOT NULL REFERENCES users(id),
    audience text NOT NULL CHECK (length(trim(audience)) > 0),
    offered_on date NOT NULL,
    due_on date NOT NULL CHECK (due_on >= offered_on),
    idempotency_key uuid UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX sniff_test_offerings_test_idx ON sniff_test_offerings (sniff_test_id, offered_on DESC)`,
  `ALTER TABLE sniff_test_assignments ADD COLUMN person_id uuid`,
  `UPDATE sniff_test_assignments a SET person_id = c.person_id FROM candidates c WHERE c.id = a.candidate_id`,
  `ALTER TABLE sniff_test_assignments ALTER COLUMN person_id SET NOT NULL`,
  `ALTER TABLE sniff_test_assignments ALTER COLUMN candidate_id DROP NOT NULL`,
  `ALTER TABLE sniff_test_assignments ADD CONSTRAINT sniff_test_assignments_person_id_fkey
     FOREIGN KEY (person_id) REFERENCES people(id) ON DELETE CASCADE`,
  `ALTER TABLE sniff_test_assignments ADD CONSTRAINT sniff_test_assignments_candidate_person_fkey
     FOREIGN KEY (candidate_id, person_id) REFERENCES candidates (id, person_id) ON DELETE CASCADE`,
  `ALTER TABLE sniff_test_assignments ADD COLUMN offering_id uuid REFERENCES sniff_test_offerings(id) ON DELETE SET NULL`,
  `CREATE INDEX sniff_test_assignments_person_idx ON sniff_test_assignments (person_id)`,
  `CREATE INDEX sniff_test_assignments_offering_idx ON sniff_test_assignments (offering_id) WHERE offering_id IS NOT NULL`,
  `CREATE UNIQUE INDEX sniff_test_assignments_offering_person_key ON sniff_test_assignments (offering_id, person_id) WHERE offering_id IS NOT NULL`,
  // An assignment made to a candidate names them; until then only the person.
  `CREATE FUNCTION assignments_follow_candidate() RETURNS trigger AS $$
   BEGIN
     IF NEW.person_id IS NULL AND NEW.candidate_id IS NOT NULL THEN
       SELECT person_id INTO NEW.person_id FROM candidates WHERE id = NEW.candidate_id;
     ELSIF NEW.candidate_id IS NULL THEN
       SELECT id INTO NEW.candidate_id FROM candidates WHERE person_id = NEW.person_id;
     END IF;
     RETURN NEW;
   END $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER assignments_follow_candidate BEFORE INSERT ON sniff_test_assignments
     FOR EACH ROW EXECUTE FUNCTION assignments_follow_candidate()`,
  `CREATE TRIGGER candidates_take_assignments AFTER INSERT ON candidates
     FOR EACH ROW EXECUTE FUNCTION candidates_take_assignments()`,

  // A CSV file between its preview and its application (its text is cleared once applied).
  `CREATE TABLE people_imports (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    uploaded_by uuid NOT NULL REFERENCES users(id),
    file_name text NOT NULL DEFAULT '',
    content text,
    applied_at timestamptz,
    applied_by uuid REFERENCES users(id),
    summary jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
];

const down_ = [
  `DROP TABLE people_imports`,
  `DROP TRIGGER candidates_take_assignments ON candidates`,
  `DROP FUNCTION candidates_take_assignments()`,
  `DROP TRIGGER assignments_follow_candidate ON sniff_test_assignments`,
  `DROP FUNCTION assignments_follow_candidate()`,
  `DELETE FROM sniff_test_assignments WHERE candidate_id IS NULL`,
  `ALTER TABLE sniff_test_assignments DROP COLUMN offering_id`,
  `ALTER TABLE sniff_test_assignments DROP COLUMN person_id`,
  `ALTER TABLE sniff_test_assignments ALTER COLUMN candidate_id SET NOT NULL`,
  `DROP TABLE sniff_test_offerings`,
  `ALTER TABLE sniff_tests DROP COLUMN needs_acceptance`,
  `DROP TRIGGER candidates_follow_person ON candidates`,
  `DROP FUNCTION candidates_follow_person()`,
  `ALTER TABLE candidates DROP COLUMN person_id`,
  `DROP TRIGGER users_join_directory ON users`,
  `DROP FUNCTION users_join_directory()`,
  `DROP TABLE people`,
  `DROP FUNCTION people_to_candidate()`,
  `DROP FUNCTION people_no_manager_cycle()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_) await sql.raw(statement).execute(db);
}

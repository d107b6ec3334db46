import { type Compilable, CompiledQuery } from "kysely";
import type { DB } from "./client";

/**
 * A value a statement receives when it runs, standing in for it while the statement is compiled (see
 * compiledOnce): Kysely passes any plain object through as a parameter.
 */
export class Slot<K extends string = string> {
  constructor(readonly name: K) {}
  /** Code that computes with a value while the statement is built would bake one request's value into
   * the text for every later one: it fails instead. */
  [Symbol.toPrimitive](): never {
    throw new Error(`The value ${this.name} was used in code while its statement was compiled.`);
  }
}

const compiledStatements = new WeakMap<object, Map<string, CompiledQuery<unknown>>>();

/**
 * Runs a statement whose text depends only on `shape`, compiling it once per shape and database handle.
 * Kysely rebuilds and recompiles a statement on every call: about 1 ms of CPU a request for the
 * profile's timeline (nine branches), 0.8 ms for My week (docs/performance.md). The compiled text is
 * kept instead, with a Slot in the place of each value of `values`, and each call fills the slots in.
 * `build` receives the slots typed as the values and may only place them in the statement as values
 * (one parameter each: not an array for `in`); everything else the text depends on (roles, which
 * filters are set) must be in `shape`.
 */
export async function compiledOnce<R, V extends Record<string, unknown>>(
  db: DB,
  shape: string,
  values: V,
  build: (slots: V) => Compilable<R>,
): Promise<R[]> {
  let byShape = compiledStatements.get(db);
  if (!byShape) compiledStatements.set(db, (byShape = new Map()));
  let compiled = byShape.get(shape);
  if (!compiled) {
    const slots = Object.fromEntries(Object.keys(values).map((k) => [k, new Slot(k)])) as V;
    compiled = build(slots).compile();
    byShape.set(shape, compiled);
  }
  const parameters = compiled.parameters.map((p) => {
    if (!(p instanceof Slot)) return p;
    if (!(p.name in values)) throw new Error(`No value for ${p.name} in the statement "${shape}".`);
    return values[p.name];
  });
  const { rows } = await db.executeQuery<R>(CompiledQuery.raw(compiled.sql, parameters));
  return rows;
}

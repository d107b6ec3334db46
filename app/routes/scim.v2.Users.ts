/** SCIM 2.0 Users: list (filter=userName eq "…", startIndex, count) and create. app/scim/scim.server.ts. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import {
  LIST_RESPONSE,
  baseUrlOf,
  createScimUser,
  getScimUserRow,
  listScimUsers,
  readJson,
  requireScimToken,
  scimError,
  scimErrorFor,
  scimJson,
  stateFromResource,
  toScimUser,
} from "../scim/scim.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  try {
    await requireScimToken(context, request);
    const { total, startIndex, rows } = await listScimUsers(context.db, new URL(request.url));
    const base = baseUrlOf(request);
    return scimJson({
      schemas: [LIST_RESPONSE],
      totalResults: total,
      startIndex,
      itemsPerPage: rows.length,
      Resources: rows.map((row) => toScimUser(row, base)),
    });
  } catch (error) {
    return scimErrorFor(error);
  }
}

export async function action({ request, context }: ActionFunctionArgs) {
  try {
    const client = await requireScimToken(context, request);
    if (request.method !== "POST")
      return scimError(405, "Users takes GET and POST; a User is changed at /scim/v2/Users/{id}.");
    const id = await createScimUser(context, client, stateFromResource(await readJson(request)));
    const row = await getScimUserRow(context.db, id);
    const resource = toScimUser(row!, baseUrlOf(request));
    return scimJson(resource, 201, { Location: resource.meta.location });
  } catch (error) {
    return scimErrorFor(error);
  }
}

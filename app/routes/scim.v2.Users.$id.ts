/** SCIM 2.0 one User: GET, PUT (replace), PATCH (Okta's and Entra ID's forms), DELETE (deactivates). */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import {
  PATCH_OP,
  ScimInputError,
  applyPatch,
  baseUrlOf,
  getScimUserRow,
  readJson,
  requireScimToken,
  scimError,
  scimErrorFor,
  scimJson,
  stateFromResource,
  stateOf,
  toScimUser,
  updateScimUser,
} from "../scim/scim.server";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  try {
    await requireScimToken(context, request);
    const row = await getScimUserRow(context.db, params.id ?? "");
    if (!row) return scimError(404, "No such User.");
    return scimJson(toScimUser(row, baseUrlOf(request)));
  } catch (error) {
    return scimErrorFor(error);
  }
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  try {
    const client = await requireScimToken(context, request);
    const current = await getScimUserRow(context.db, params.id ?? "");
    if (!current) return scimError(404, "No such User.");
    const id = current.id;
    switch (request.method) {
      case "PUT":
        await updateScimUser(
          context,
          client,
          id,
          stateFromResource(await readJson(request)),
          "user.scim_replace",
        );
        break;
      case "PATCH": {
        const body = await readJson(request);
        if (Array.isArray(body.schemas) && !body.schemas.includes(PATCH_OP))
          throw new ScimInputError(
            400,
            `A PATCH body has the schema ${PATCH_OP}.`,
            "invalidSyntax",
          );
        await updateScimUser(
          context,
          client,
          id,
          applyPatch(stateOf(current), body),
          "user.scim_patch",
        );
        break;
      }
      case "DELETE":
        // DELETE deactivates and keeps the account: the record and audit trail point at it (decision 0018).
        await updateScimUser(
          context,
          client,
          id,
          { ...stateOf(current), active: false },
          "user.scim_delete",
        );
        return new Response(null, { status: 204 });
      default:
        return scimError(405, "A User takes GET, PUT, PATCH and DELETE.");
    }
    const row = await getScimUserRow(context.db, id);
    return scimJson(toScimUser(row!, baseUrlOf(request)));
  } catch (error) {
    return scimErrorFor(error);
  }
}

/**
 * The loader and action of the three SCIM discovery routes (RFC 7644 §4): for holders of a SCIM token,
 * the document on GET, and 405 on any write.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { baseUrlOf, requireScimToken, scimError, scimErrorFor, scimJson } from "./scim.server";

export async function discoveryLoader(
  { request, context }: LoaderFunctionArgs,
  document: (base: string) => unknown,
) {
  try {
    await requireScimToken(context, request);
    return scimJson(document(baseUrlOf(request)));
  } catch (error) {
    return scimErrorFor(error);
  }
}

export async function discoveryAction({ request, context }: ActionFunctionArgs, name: string) {
  try {
    await requireScimToken(context, request);
    return scimError(405, `${name} is read-only.`);
  } catch (error) {
    return scimErrorFor(error);
  }
}

/** SCIM 2.0 discovery: ServiceProviderConfig (RFC 7644 §4), for holders of a SCIM token. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { serviceProviderConfig } from "../scim/discovery.server";
import {
  baseUrlOf,
  requireScimToken,
  scimError,
  scimErrorFor,
  scimJson,
} from "../scim/scim.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  try {
    await requireScimToken(context, request);
    return scimJson(serviceProviderConfig(baseUrlOf(request)));
  } catch (error) {
    return scimErrorFor(error);
  }
}

export async function action({ request, context }: ActionFunctionArgs) {
  try {
    await requireScimToken(context, request);
    return scimError(405, "ServiceProviderConfig is read-only.");
  } catch (error) {
    return scimErrorFor(error);
  }
}

/** SCIM 2.0 discovery: ResourceTypes (RFC 7644 §4), for holders of a SCIM token. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { resourceTypes } from "../scim/discovery.server";
import { discoveryAction, discoveryLoader } from "../scim/discovery-route.server";

export const loader = (args: LoaderFunctionArgs) => discoveryLoader(args, resourceTypes);

export const action = (args: ActionFunctionArgs) => discoveryAction(args, "ResourceTypes");

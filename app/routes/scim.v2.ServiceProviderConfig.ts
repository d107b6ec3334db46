/** SCIM 2.0 discovery: ServiceProviderConfig (RFC 7644 §4), for holders of a SCIM token. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { serviceProviderConfig } from "../scim/discovery.server";
import { discoveryAction, discoveryLoader } from "../scim/discovery-route.server";

export const loader = (args: LoaderFunctionArgs) => discoveryLoader(args, serviceProviderConfig);

export const action = (args: ActionFunctionArgs) => discoveryAction(args, "ServiceProviderConfig");

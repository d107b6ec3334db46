/** The discovery resources of RFC 7644 §4: what this service provider supports, and the User schema. */
import { CORE_USER, ENTERPRISE_USER, LIST_RESPONSE, MAX_RESULTS } from "./scim.server";

export function serviceProviderConfig(base: string) {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    documentationUri: `${base}/scim/v2/ServiceProviderConfig`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "Bearer token",
        description: "A token made on /admin/identity or with npm run scim:token.",
        primary: true,
      },
    ],
    meta: {
      resourceType: "ServiceProviderConfig",
      location: `${base}/scim/v2/ServiceProviderConfig`,
    },
  };
}

type Attr = {
  name: string;
  type: string;
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: string;
  returned?: string;
  uniqueness?: string;
  subAttributes?: Attr[];
  description?: string;
};

function attr(a: Attr) {
  return {
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
    ...a,
  };
}

const userSchema = {
  id: CORE_USER,
  name: "User",
  description: "An account; userName is its work email.",
  attributes: [
    attr({ name: "userName", type: "string", required: true, uniqueness: "server" }),
    attr({
      name: "name",
      type: "complex",
      subAttributes: [
        attr({ name: "formatted", type: "string" }),
        attr({ name: "givenName", type: "string" }),
        attr({ name: "familyName", type: "string" }),
      ],
    }),
    attr({ name: "displayName", type: "string" }),
    attr({ name: "title", type: "string" }),
    attr({ name: "active", type: "boolean" }),
    attr({
      name: "emails",
      type: "complex",
      multiValued: true,
      mutability: "readOnly",
      description: "The work email: the same as userName.",
      subAttributes: [
        attr({ name: "value", type: "string" }),
        attr({ name: "type", type: "string" }),
        attr({ name: "primary", type: "boolean" }),
      ],
    }),
  ],
};

const enterpriseSchema = {
  id: ENTERPRISE_USER,
  name: "EnterpriseUser",
  description: "The person's team (department) and manager in the directory.",
  attributes: [
    attr({ name: "department", type: "string" }),
    attr({
      name: "manager",
      type: "complex",
      subAttributes: [
        attr({ name: "value", type: "string", description: "The manager's User id." }),
      ],
    }),
  ],
};

export function schemas(base: string) {
  const resources = [userSchema, enterpriseSchema].map((schema) => ({
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
    ...schema,
    meta: { resourceType: "Schema", location: `${base}/scim/v2/Schemas/${schema.id}` },
  }));
  return {
    schemas: [LIST_RESPONSE],
    totalResults: resources.length,
    startIndex: 1,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

export function resourceTypes(base: string) {
  const user = {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
    id: "User",
    name: "User",
    endpoint: "/Users",
    schema: CORE_USER,
    schemaExtensions: [{ schema: ENTERPRISE_USER, required: false }],
    meta: { resourceType: "ResourceType", location: `${base}/scim/v2/ResourceTypes/User` },
  };
  return {
    schemas: [LIST_RESPONSE],
    totalResults: 1,
    startIndex: 1,
    itemsPerPage: 1,
    Resources: [user],
  };
}

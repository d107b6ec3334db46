import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

// Links are plain anchors with one client-side click listener (docs/decisions/0008-plain-anchor-links.md).
const remixLinks = {
  name: "@remix-run/react",
  importNames: ["Link", "NavLink"],
  message:
    "Use Link from app/components/ui/link.tsx: a plain <a> with one click listener (docs/decisions/0008-plain-anchor-links.md).",
};

export default tseslint.config(
  {
    ignores: [
      "build/**",
      "node_modules/**",
      "data/**",
      ".tmp/**",
      "test-results/**",
      "playwright-report/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  {
    rules: {
      "no-restricted-imports": ["error", { paths: [remixLinks] }],
    },
  },
  {
    // React components never import server modules (.server files, the database client): a component
    // goes into the browser bundle, and only a route module's loader and action are removed from it.
    // This block replaces the rule above for these files, so it repeats the Link restriction.
    files: ["app/components/**/*.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        { paths: [remixLinks], patterns: ["*.server", "*.server.*", "**/db/client"] },
      ],
    },
  },
);

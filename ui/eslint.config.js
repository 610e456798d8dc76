// ESLint (flat config): typescript-eslint's recommended rules, and the layout rule of STYLE.md:
// a feature never imports another feature (shared code lives in src/components and src/lib); and no type
// assertions (`x as T`) outside the wire boundary: command results and events are typed by the generated
// api-types.ts, so a cast there would hide a drift between backend and UI.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const features = ["documents", "import", "record", "search", "sessions", "settings", "voices", "welcome"];

export default tseslint.config(
  { ignores: ["dist", "node_modules", "src/lib/api-types.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["src/**/*.{ts,tsx}"],
    ignores: ["src/**/*.test.ts"],
    rules: { "@typescript-eslint/consistent-type-assertions": ["error", { assertionStyle: "never" }], "@typescript-eslint/no-non-null-assertion": "error" },
  },
  ...features.map((feature) => ({
    files: [`src/features/${feature}/**/*.{ts,tsx}`],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [{
          group: features.filter((f) => f !== feature).flatMap((f) => [`../${f}/*`, `../../features/${f}/*`, `**/features/${f}/*`]),
          message: "features do not import each other: move shared code to src/components or src/lib",
        }],
      }],
    },
  })),
);

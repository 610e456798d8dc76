// ESLint (flat config): typescript-eslint's recommended rules, and the layout rule of STYLE.md:
// a feature never imports another feature (shared code lives in src/components and src/lib).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const features = ["import", "record", "search", "sessions", "settings"];

export default tseslint.config(
  { ignores: ["dist", "node_modules", "src/lib/api-types.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
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

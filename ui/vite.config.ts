import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react()],
  base: "/",
  build: { outDir: "dist", assetsDir: "assets", emptyOutDir: true },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});

import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Suites start real servers on ephemeral ports; two workers match the 2-core machines.
    maxWorkers: 2,
    // Under CI, also write a JSON summary: .ci/run turns it into one plain "N passed, N failed" line.
    ...(process.env.CI ? { reporters: ["default", "json"], outputFile: { json: "test-results.json" } } : {})
  }
})

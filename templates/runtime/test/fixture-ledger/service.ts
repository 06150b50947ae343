import { defineService } from "../../../../infra/spec/index.js";

// A service with a database, as a service folder holds it, for the runtime's own test of
// describeServiceContract on a service with backing services.
export default defineService({
  name: "fixture-ledger",
  description: "Keeps a ledger in PostgreSQL; a fixture of the runtime's tests.",
  build: {},
  port: 8080,
  backingServices: { db: { type: "postgres" } },
  resources: { cpu: "100m", memory: "128Mi" },
  scaling: { min: 1, max: 1 },
  monitoring: { slo: { availability: 99.9, latencyMs: 300 }, owner: "team-platform" },
});

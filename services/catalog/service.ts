import { defineService } from "../../infra/spec/index.js";

export default defineService({
  name: "catalog",
  description: "Product catalogue: the products and their prices.",
  build: {},
  port: 8080,
  // Its products, and a cache of the prices orders asks for.
  backingServices: { db: { type: "postgres" }, cache: { type: "redis" } },
  resources: { cpu: "100m", memory: "256Mi" },
  scaling: { min: 2, max: 6, cpuPercent: 70 },
  monitoring: { slo: { availability: 99.9, latencyMs: 300 }, owner: "team-catalog" },
  environments: { local: { scaling: { min: 1, max: 1 } } },
});

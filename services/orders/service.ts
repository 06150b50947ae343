import { defineService } from "../../infra/spec/index.js";

export default defineService({
  name: "orders",
  description: "Takes orders and prices them from the catalog.",
  build: {},
  port: 8080,
  dependsOn: ["catalog"],
  // Its orders, in a database of its own; each order placed becomes a job on fulfilment's queue.
  backingServices: { db: { type: "postgres" } },
  uses: ["fulfilment.queue"],
  egress: [{ cidr: "203.0.113.0/24", ports: [443], description: "payment provider API" }],
  resources: { cpu: "200m", memory: "256Mi" },
  scaling: { min: 2, max: 8, cpuPercent: 70, memoryPercent: 80 },
  monitoring: { slo: { availability: 99.9, latencyMs: 400 }, owner: "team-orders" },
  environments: {
    local: { scaling: { min: 1, max: 1 } },
    production: { scaling: { min: 3, max: 12 }, resources: { cpu: "500m", memory: "512Mi" } },
  },
});

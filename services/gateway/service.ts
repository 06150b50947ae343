import { defineService } from "../../infra/spec/index.js";

export default defineService({
  name: "gateway",
  description: "Public entry point: routes shop requests to orders and catalog.",
  build: {},
  port: 8080,
  expose: { public: { host: "shop.example.com", path: "/", localPort: 8080 } },
  dependsOn: ["orders", "catalog"],
  env: { LOG_LEVEL: "info" },
  scaling: { min: 2, max: 10, cpuPercent: 60 },
  monitoring: { slo: { availability: 99.95, latencyMs: 500 }, owner: "team-edge" },
  environments: {
    local: { scaling: { min: 2, max: 2 }, env: { LOG_LEVEL: "debug" } },
    staging: { expose: { public: { host: "staging.shop.example.com" } } },
    production: { scaling: { min: 3, max: 20 } },
  },
});

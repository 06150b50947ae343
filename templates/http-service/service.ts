import { defineService } from "../../infra/spec/index.js";

export default defineService({
  name: "{{name}}",
  description: {{description}},
  build: {},
  port: {{port}},
  expose: {{expose}},
  dependsOn: {{dependsOn}},
  // The data it owns: each gets its variables (DB_URL ...) and context.resource("db") in its code.
  backingServices: {{backingServices}},
  resources: { cpu: "100m", memory: "128Mi" },
  scaling: { min: 2, max: 4, cpuPercent: 70 },
  monitoring: { slo: { availability: 99.9, latencyMs: 500 }, owner: "{{owner}}" },
  environments: { local: { scaling: { min: 1, max: 1 } } },
});

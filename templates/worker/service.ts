import { defineService } from "../../infra/spec/index.js";

export default defineService({
  name: "{{name}}",
  description: {{description}},
  build: {},
  // Health and metrics only: no service depends on a worker, so its network rules
  // let in nothing but the probes and the metrics scrape.
  port: {{port}},
  dependsOn: {{dependsOn}},
  // The data it owns: each gets its variables (DB_URL ...) and context.resource("db") in its code.
  backingServices: {{backingServices}},
  resources: { cpu: "200m", memory: "256Mi" },
  // A busy worker burns CPU: more replicas take more jobs at once.
  scaling: { min: 2, max: 6, cpuPercent: 70 },
  monitoring: { owner: "{{owner}}" },
  environments: { local: { scaling: { min: 1, max: 1 } } },
});

import { defineService } from "../../infra/spec/index.js";

export default defineService({
  name: "fulfilment",
  description: "Prepares each placed order for shipping: orders publishes an order-placed job to its queue.",
  build: {},
  // Health and metrics only: services publish to its queue instead of calling it, so its
  // network rules let in nothing but the probes and the metrics scrape.
  port: 8080,
  dependsOn: [],
  // The data it owns: "queue" is where its jobs arrive (context.resource("queue") in its code);
  // a service that publishes jobs declares uses: ["fulfilment.queue"].
  backingServices: { queue: { type: "queue", queues: ["jobs"] } },
  resources: { cpu: "200m", memory: "256Mi" },
  // A busy worker burns CPU: more replicas take more jobs at once.
  scaling: { min: 2, max: 6, cpuPercent: 70 },
  monitoring: { owner: "team-orders" },
  environments: { local: { scaling: { min: 1, max: 1 } } },
});

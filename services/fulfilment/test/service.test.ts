import { describeServiceContract } from "@platform/service-runtime/service-contract";
import spec from "../service.js";
import { createApplication } from "../src/application.js";

// This service as the platform runs it. The runtime itself (@platform/service-runtime,
// templates/runtime/) is tested once, in its own package.
describeServiceContract({ serviceDir: new URL("..", import.meta.url), spec, createApplication });

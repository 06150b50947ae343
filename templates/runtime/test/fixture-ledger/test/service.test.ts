import { describeServiceContract } from "@platform/service-runtime/service-contract";
import spec from "../service.js";
import { createApplication } from "../src/application.js";

// The tests every service runs on itself, on a service with a database: the contract
// starts a real PostgreSQL for them, and the bundle and the application run its migrations.
describeServiceContract({ serviceDir: new URL("..", import.meta.url), spec, createApplication });

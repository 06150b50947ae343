/** The process entry point: `node dist/main.mjs` in the image, `npm start` locally. */
import { runApplication } from "@platform/service-runtime";
import { createApplication } from "./application.js";

await runApplication(createApplication());

import type { Application } from "@platform/service-runtime";
import { MANIFEST } from "./manifest.js";

/** Lists the ledger's entries, which a migration seeds. */
export function createApplication(): Application<typeof MANIFEST> {
  return {
    manifest: MANIFEST,
    routes(router, context) {
      router.get("/entries", async () => ({
        body: (await context.resource("db").query("SELECT entry FROM entries ORDER BY id")).rows,
      }));
    },
    async onStart(context) {
      // The migrations ran before onStart: the seeded entry is there.
      await context.resource("db").query("SELECT entry FROM entries");
    },
  };
}

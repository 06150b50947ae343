import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * One temporary folder for the whole run: every test, every worker thread and every
 * process a test starts gets it as TMPDIR (worker threads and child processes copy the
 * environment when they start, after this), and it is removed when the run ends. What a
 * test leaves behind in `os.tmpdir()` (a folder made when a shared module loads, which no
 * "exit" listener of a worker thread would remove) goes with it, and two runs side by side
 * never see each other's files.
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const runFolder = mkdtempSync(path.join(os.tmpdir(), "platform-test-run-"));
  // mkdtemp makes it 0700: the PostgreSQL servers the tests start run as another user
  // (root may not run initdb), which must reach its own folder inside it.
  chmodSync(runFolder, 0o711);
  process.env.TMPDIR = runFolder;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(runFolder, { recursive: true, force: true });
  };
}

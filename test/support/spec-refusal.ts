import { expect } from "vitest";
import { SpecError } from "../../infra/spec/model.js";
import { thrownBy } from "./thrown.js";

/** The problems of a spec or catalogue that `run` refuses, one line each; fails the test when it is not refused. */
export function specRefusal(run: () => unknown): string[] {
  const error = thrownBy(run);
  expect(error).toBeInstanceOf(SpecError);
  return (error as Error).message.split("\n");
}

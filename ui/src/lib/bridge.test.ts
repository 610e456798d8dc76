import { describe, expect, it } from "vitest";
import { ApiError, unwrap } from "./bridge";
import { mismatch } from "./wire";
import { RESULT_SHAPES } from "./api-types";

function failure(run: () => unknown): ApiError {
  try {
    run();
  } catch (e) {
    if (e instanceof ApiError) return e;
  }
  throw new Error("no ApiError");
}

describe("bridge replies", () => {
  it("returns results and turns errors into ApiError with the backend's code and message", () => {
    expect(unwrap("jobs.list", { result: [] })).toEqual([]);
    const e = failure(() => unwrap("sessions.get", { error: { code: "not_found", message: "no session x" } }));
    expect([e.code, e.message]).toEqual(["not_found", "no session x"]);
    expect(failure(() => unwrap("sessions.get", { error: { code: "new_code", message: "?" } })).code).toBe("failed");
  });
  it("refuses a result of another shape than the backend declares, naming where it differs", () => {
    expect(failure(() => unwrap("jobs.list", { result: {} })).message).toContain("jobs.list");
    const renamed = { id: "s", title: 3 };
    expect(mismatch(renamed, RESULT_SHAPES["sessions.rename"], "result")).toBe("result.title should be a string");
    expect(mismatch({ default: "tiny.en" }, RESULT_SHAPES["models.set_default"])).toBe("");
    expect(mismatch({ default: null }, RESULT_SHAPES["models.set_default"])).toBe("$.default should be a string");
  });
});

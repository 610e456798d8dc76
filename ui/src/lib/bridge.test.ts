import { describe, expect, it } from "vitest";
import { ApiError, unwrap } from "./bridge";

describe("bridge replies", () => {
  it("returns results and turns errors into ApiError with the backend's code and message", () => {
    expect(unwrap<"jobs.list">({ result: [] })).toEqual([]);
    try {
      unwrap<"sessions.get">({ error: { code: "not_found", message: "no session x" } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).code).toBe("not_found");
      expect((e as ApiError).message).toBe("no session x");
    }
  });
});

import { describe, expect, it } from "vitest";
import { backoff } from "./events";
import { bytes, clock, day, meterWidth, snippetParts, speaker } from "./format";

describe("formatting", () => {
  it("clock", () => {
    expect(clock(0)).toBe("0:00");
    expect(clock(61_500)).toBe("1:01");
    expect(clock(3_723_000)).toBe("1:02:03");
  });
  it("meters, sizes, speakers, snippets", () => {
    expect(meterWidth(-120)).toBe(0);
    expect(meterWidth(-30)).toBe(50);
    expect(meterWidth(3)).toBe(100);
    expect(bytes(43_600_000)).toBe("43.6 MB");
    expect(speaker("mic", ["mic", "system"])).toBe("Me");
    expect(speaker("system", ["mic", "system"])).toBe("Them");
    expect(speaker("mic", ["mic"])).toBe("");
    expect(speaker("right", ["left", "right"])).toBe("Right");
    expect(snippetParts("ask [not] what <b>")).toEqual([
      { text: "ask ", hit: false }, { text: "not", hit: true }, { text: " what <b>", hit: false }]);
  });
  it("reconnect backoff grows and is capped", () => {
    expect([0, 1, 2, 10].map(backoff)).toEqual([250, 500, 1000, 10_000]);
  });
});

describe("library days", () => {
  it("names today and yesterday by their names, other days by their date", () => {
    const now = new Date(2026, 11, 6, 9, 30);
    expect(day(new Date(2026, 11, 6, 0, 5).toISOString(), now)).toBe("Today");
    expect(day(new Date(2026, 11, 5, 23, 55).toISOString(), now)).toBe("Yesterday");
    expect(day(new Date(2026, 10, 30, 12, 0).toISOString(), now)).toContain("2026");
  });
});

import { describe, expect, it } from "vitest";
import { marked, matches, playing } from "./find";

describe("search in a meeting", () => {
  const texts = ["We set the price at ten euros.", "Über den Preis reden wir morgen.", "The PRICE list is late."];
  it("finds segments holding every word, ignoring case and accents", () => {
    expect(matches(texts, "price")).toEqual([0, 2]);
    expect(matches(texts, "uber preis")).toEqual([1]);
    expect(matches(texts, "price late")).toEqual([2]);
    expect(matches(texts, "  ")).toEqual([]);
  });
  it("marks each occurrence and keeps the text whole", () => {
    const parts = marked("The price, the PRICE.", "price");
    expect(parts.map((p) => p.text).join("")).toBe("The price, the PRICE.");
    expect(parts.filter((p) => p.hit).map((p) => p.text)).toEqual(["price", "PRICE"]);
  });
});

describe("the segment playing", () => {
  it("is the last one started, and stays through a gap", () => {
    const starts = [0, 4000, 9000];
    expect(playing(starts, 0)).toBe(0);
    expect(playing(starts, 5000)).toBe(1);
    expect(playing(starts, 8999)).toBe(1);
    expect(playing(starts, 60_000)).toBe(2);
    expect(playing([], 10)).toBe(-1);
    expect(playing([500], 10)).toBe(-1);
  });
});

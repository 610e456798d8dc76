import type { ModelInfo } from "./api-types";

const SIZES: [string, string][] = [
  ["tiny", "fastest, for live text on any laptop"],
  ["base", "fast, a little more accurate"],
  ["small", "more accurate, about 3× slower than base"],
  ["medium", "accurate, slow on a laptop"],
  ["large-v3-turbo", "most accurate at a usable speed"],
  ["large", "most accurate, slowest"],
];

/** A speech model in words: what it is good for (speed and accuracy by its size), its languages and its weight. */
export function goodFor(m: ModelInfo): string {
  const size = SIZES.find(([s]) => m.name === s || m.name.startsWith(`${s}.`) || m.name.startsWith(`${s}-`));
  const languages = m.languages === "en" ? "English only" : m.languages === "multilingual" ? "about 100 languages" : m.languages;
  const packed = m.weight_type.startsWith("q") ? "compressed weights" : "full weights";
  return [size ? size[1] : "imported model", languages, packed].join(" · ");
}

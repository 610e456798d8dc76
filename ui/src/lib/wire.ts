// What the backend sends is checked where it is parsed, against shapes generated from the backend's own types
// (api-types.ts): a reply or an event that does not match is refused with the path where it differs, instead
// of being trusted by a cast.
import { type CommandName, type Commands, EVENT_SHAPES, RESULT_SHAPES, type ServerEvent, SHAPES, type Shape } from "./api-types";

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Whether `value` has `shape` (the fast check, run on every reply and event: no strings built). */
function fits(value: unknown, shape: Shape): boolean {
  if (shape === "any") return true;
  if (shape === "missing") return value === undefined;
  if (shape === "null") return value === null;
  if (shape === "number" || shape === "string" || shape === "boolean") return typeof value === shape;
  if ("ref" in shape) { const named = SHAPES[shape.ref]; return named !== undefined && fits(value, named); }
  if ("oneOf" in shape) return shape.oneOf.some((s) => fits(value, s));
  if ("literal" in shape) return shape.literal.some((l) => l === value);
  if ("list" in shape) return Array.isArray(value) && value.every((v) => fits(v, shape.list));
  if (!isObject(value)) return false;
  if ("record" in shape) return Object.values(value).every((v) => fits(v, shape.record));
  for (const k in shape.object) { const s = shape.object[k]; if (s !== undefined && !fits(value[k], s)) return false; }
  return true;
}

/** Where `value` differs from `shape` ("" when it matches). */
export function mismatch(value: unknown, shape: Shape, path = "$"): string {
  return fits(value, shape) ? "" : explain(value, shape, path);
}

function explain(value: unknown, shape: Shape, path: string): string {
  if (shape === "any") return "";
  if (shape === "missing") return value === undefined ? "" : `${path} should be absent`;
  if (shape === "null") return value === null ? "" : `${path} should be null`;
  if (shape === "number" || shape === "string" || shape === "boolean") return typeof value === shape ? "" : `${path} should be a ${shape}`;
  if ("ref" in shape) {
    const named = SHAPES[shape.ref];
    return named === undefined ? `${path}: no shape ${shape.ref}` : mismatch(value, named, path);
  }
  if ("oneOf" in shape) {
    const misses = shape.oneOf.map((s) => mismatch(value, s, path));
    return misses.includes("") ? "" : misses[0] ?? `${path} matches nothing`;
  }
  if ("literal" in shape) {
    return shape.literal.some((l) => l === value) ? "" : `${path} should be one of ${shape.literal.join(", ")}`;
  }
  if ("list" in shape) {
    if (!Array.isArray(value)) return `${path} should be a list`;
    for (let i = 0; i < value.length; i++) {
      const miss = mismatch(value[i], shape.list, `${path}[${i}]`);
      if (miss) return miss;
    }
    return "";
  }
  if (!isObject(value)) return `${path} should be an object`;
  if ("record" in shape) {
    for (const [k, v] of Object.entries(value)) {
      const miss = mismatch(v, shape.record, `${path}.${k}`);
      if (miss) return miss;
    }
    return "";
  }
  for (const [k, s] of Object.entries(shape.object)) {
    const miss = mismatch(value[k], s, `${path}.${k}`);
    if (miss) return miss;
  }
  return "";
}

export type Reply<N extends CommandName> = { result: Commands[N]["result"] } | { error: { code: string; message: string } };

/** A command's reply: its result of the declared shape, or an error with a code and a message. */
export function isReply<N extends CommandName>(name: N, value: unknown): value is Reply<N> {
  if (!isObject(value)) return false;
  if (isObject(value.error)) return typeof value.error.code === "string" && typeof value.error.message === "string";
  const miss = "result" in value ? mismatch(value.result, RESULT_SHAPES[name], "result") : "no result";
  if (miss) console.error(`the reply to ${name} is not what the UI expects: ${miss}`);
  return miss === "";
}

/** An event of a known type and shape. */
export function isEvent(value: unknown): value is ServerEvent {
  if (!isObject(value) || typeof value.type !== "string") return false;
  const shape = Object.entries(EVENT_SHAPES).find(([t]) => t === value.type)?.[1];
  const miss = shape === undefined ? `unknown event ${value.type}` : mismatch(value, shape, value.type);
  if (miss) console.error(`an event is not what the UI expects: ${miss}`);
  return miss === "";
}

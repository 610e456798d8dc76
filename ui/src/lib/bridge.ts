// The only code that talks to the backend's commands: the pywebview bridge in the desktop window,
// or POST /api/commands/<name> in a browser. Both reach the same registry.
import { type CommandName, type Commands, ERROR_CODES, type ErrorCode } from "./api-types";
import { isReply } from "./wire";

export class ApiError extends Error {
  constructor(
    public code: ErrorCode | "network",
    message: string,
  ) {
    super(message);
  }
}

interface PywebviewApi {
  [ns: string]: Record<string, (params: unknown) => Promise<unknown>> | ((params: unknown) => Promise<unknown>);
}
declare global {
  interface Window {
    pywebview?: { api: PywebviewApi };
  }
}

export function token(): string {
  const fromUrl = new URLSearchParams(window.location.search).get("token");
  if (fromUrl) sessionStorage.setItem("aiwisper-token", fromUrl);
  return fromUrl ?? sessionStorage.getItem("aiwisper-token") ?? "";
}

export function isDesktop(): boolean {
  return new URLSearchParams(window.location.search).get("desktop") === "1" || window.pywebview !== undefined;
}

let ready: Promise<void> | null = null;
function pywebviewReady(): Promise<void> {
  ready ??= new Promise((resolve) => {
    if (window.pywebview?.api) resolve();
    else window.addEventListener("pywebviewready", () => resolve(), { once: true });
  });
  return ready;
}

function errorCode(code: string): ErrorCode {
  return ERROR_CODES.find((c) => c === code) ?? "failed";
}

/** The result of a checked reply (an error reply becomes an ApiError; a reply of the wrong shape too). */
export function unwrap<N extends CommandName>(name: N, reply: unknown): Commands[N]["result"] {
  if (!isReply(name, reply)) throw new ApiError("failed", `the backend's reply to ${name} is not what this UI expects`);
  if ("error" in reply) throw new ApiError(errorCode(reply.error.code), reply.error.message);
  return reply.result;
}

type Params<N extends CommandName> = Record<string, never> extends Commands[N]["params"] ? [params?: Commands[N]["params"]] : [params: Commands[N]["params"]];

export async function call<N extends CommandName>(name: N, ...[params]: Params<N>): Promise<Commands[N]["result"]> {
  if (isDesktop()) {
    await pywebviewReady();
    const api = window.pywebview?.api;
    if (api === undefined) throw new ApiError("failed", "the window's bridge is not ready");
    const dot = name.lastIndexOf(".");
    const group = dot < 0 ? undefined : api[name.slice(0, dot)];
    const target = dot < 0 ? api[name] : typeof group === "function" ? undefined : group?.[name.slice(dot + 1)];
    if (typeof target !== "function") throw new ApiError("failed", `the window has no command ${name}`);
    return unwrap(name, await target(params ?? {}));
  }
  let response: Response;
  try {
    response = await fetch(`/api/commands/${name}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-AIWisper-Token": token() },
      body: JSON.stringify(params ?? {}),
    });
  } catch {
    throw new ApiError("network", "the AIWisper backend is not reachable");
  }
  const body: unknown = await response.json().catch(() => null);
  if (body === null) throw new ApiError("failed", `HTTP ${response.status}`);
  return unwrap(name, body);
}

export function fileUrl(path: string): string {
  const sep = path.includes("?") ? "&" : "?";
  return `${path}${sep}token=${encodeURIComponent(token())}`;
}

export async function upload(file: File): Promise<Commands["files.import"]["result"]> {
  const form = new FormData();
  form.append("file", file);
  const response = await fetch("/api/files", { method: "POST", body: form, headers: { "X-AIWisper-Token": token() } });
  if (response.status === 413) throw new ApiError("too_large", `${file.name} is too large`);
  const body: unknown = await response.json().catch(() => null);
  return unwrap("files.import", body);
}

// The only code that talks to the backend's commands: the pywebview bridge in the desktop window,
// or POST /api/commands/<name> in a browser. Both reach the same registry.
import type { CommandName, Commands, ErrorCode } from "./api-types";

export class ApiError extends Error {
  constructor(
    public code: ErrorCode | "network",
    message: string,
  ) {
    super(message);
  }
}

type Reply<N extends CommandName> = { result: Commands[N]["result"] } | { error: { code: ErrorCode; message: string } };

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

export function unwrap<N extends CommandName>(reply: Reply<N>): Commands[N]["result"] {
  if ("error" in reply) throw new ApiError(reply.error.code, reply.error.message);
  return reply.result;
}

export async function call<N extends CommandName>(name: N, params: Commands[N]["params"] = {} as Commands[N]["params"]): Promise<Commands[N]["result"]> {
  if (isDesktop()) {
    await pywebviewReady();
    const api = window.pywebview!.api;
    const dot = name.lastIndexOf(".");
    const target = dot < 0 ? api[name] : (api[name.slice(0, dot)] as Record<string, (p: unknown) => Promise<unknown>>)[name.slice(dot + 1)];
    if (typeof target !== "function") throw new ApiError("failed", `the window has no command ${name}`);
    return unwrap((await target(params)) as Reply<N>);
  }
  let response: Response;
  try {
    response = await fetch(`/api/commands/${name}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-AIWisper-Token": token() },
      body: JSON.stringify(params),
    });
  } catch {
    throw new ApiError("network", "the AIWisper backend is not reachable");
  }
  const body = (await response.json().catch(() => null)) as Reply<N> | null;
  if (body === null) throw new ApiError("failed", `HTTP ${response.status}`);
  return unwrap(body);
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
  return unwrap((await response.json()) as Reply<"files.import">);
}

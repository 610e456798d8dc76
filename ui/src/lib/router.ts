// Hash routes: #/record, #/sessions, #/sessions/<id>?t=<ms>, #/search, #/import, #/documents,
// #/documents/<id>?p=<passage>, #/voices, #/settings.
import { useEffect, useState } from "react";

export interface Route {
  page: "record" | "sessions" | "session" | "search" | "import" | "documents" | "document" | "voices" | "settings";
  id?: string;
  t?: number;
  passage?: number;
}

export function parse(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#\/?/, "").split("?");
  const parts = path.split("/");
  const t = new URLSearchParams(query).get("t");
  if (parts[0] === "sessions" && parts[1]) return { page: "session", id: parts[1], t: t ? Number(t) : undefined };
  const p = new URLSearchParams(query).get("p");
  if (parts[0] === "documents" && parts[1]) return { page: "document", id: parts[1], passage: p ? Number(p) : undefined };
  const pages = ["record", "sessions", "search", "import", "documents", "voices", "settings"] as const;
  return { page: pages.find((p) => p === parts[0]) ?? "record" };
}

export function go(path: string): void {
  window.location.hash = path;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parse(window.location.hash));
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}

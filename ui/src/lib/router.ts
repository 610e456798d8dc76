// Hash routes: #/record, #/sessions, #/sessions/<id>?t=<ms>, #/search, #/import, #/settings.
import { useEffect, useState } from "react";

export interface Route {
  page: "record" | "sessions" | "session" | "search" | "import" | "settings";
  id?: string;
  t?: number;
}

export function parse(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#\/?/, "").split("?");
  const parts = path.split("/");
  const t = new URLSearchParams(query).get("t");
  if (parts[0] === "sessions" && parts[1]) return { page: "session", id: parts[1], t: t ? Number(t) : undefined };
  const pages = ["record", "sessions", "search", "import", "settings"] as const;
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

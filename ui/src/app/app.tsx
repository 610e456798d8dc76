import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ToastProvider } from "../components/toast";
import { DocumentView } from "../features/documents/document-view";
import { DocumentsView } from "../features/documents/documents-view";
import { ImportView } from "../features/import/import-view";
import { RecordView } from "../features/record/record-view";
import { SearchView } from "../features/search/search-view";
import { SessionList } from "../features/sessions/session-list";
import { SessionView } from "../features/sessions/session-view";
import { SettingsView } from "../features/settings/settings-view";
import { VoicesView } from "../features/voices/voices-view";
import { FirstRun } from "../features/welcome/first-run";
import { call } from "../lib/bridge";
import { go, useRoute } from "../lib/router";
import { useConnection } from "../lib/use-events";

const NAV = [
  ["record", "Record"],
  ["sessions", "Sessions"],
  ["search", "Search"],
  ["import", "Import"],
  ["documents", "Documents"],
  ["voices", "Voices"],
  ["settings", "Settings"],
] as const;

export function App() {
  const route = useRoute();
  const connection = useConnection();
  const current = route.page === "session" ? "sessions" : route.page === "document" ? "documents" : route.page;
  const info = useQuery({ queryKey: ["app-info"], queryFn: () => call("app.info") });
  const settings = useQuery({ queryKey: ["settings"], queryFn: () => call("settings.get") });
  const queries = useQueryClient();
  const welcomed = settings.data?.find((s) => s.name === "app.welcomed")?.value;
  if (welcomed === false) {
    return <ToastProvider><FirstRun onDone={() => { void queries.invalidateQueries({ queryKey: ["settings"] }); go("/record"); }} /></ToastProvider>;
  }
  return (
    <ToastProvider logPath={typeof info.data?.log_file === "string" ? info.data.log_file : undefined}>
      <div className="shell">
        <nav className="sidebar" aria-label="Main">
          <div className="brand">AIWisper</div>
          {NAV.map(([page, label]) => (
            <a key={page} href={`#/${page}`} className={current === page ? "active" : ""} aria-current={current === page ? "page" : undefined}>
              {label}
            </a>
          ))}
          <div className={`connection ${connection}`} title="Connection to the backend">
            {connection === "open" ? "Connected" : connection === "connecting" ? "Connecting…" : "Reconnecting…"}
          </div>
        </nav>
        <main className="content">
          {route.page === "record" && <RecordView />}
          {route.page === "sessions" && <SessionList />}
          {route.page === "session" && route.id && <SessionView id={route.id} seekMs={route.t} />}
          {route.page === "search" && <SearchView />}
          {route.page === "import" && <ImportView />}
          {route.page === "documents" && <DocumentsView />}
          {route.page === "document" && route.id && <DocumentView id={route.id} passage={route.passage} />}
          {route.page === "voices" && <VoicesView />}
          {route.page === "settings" && <SettingsView />}
        </main>
      </div>
    </ToastProvider>
  );
}

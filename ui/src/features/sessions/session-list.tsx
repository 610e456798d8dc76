import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { errorText, useToast } from "../../components/toast";
import type { SessionSummary } from "../../lib/api-types";
import { call, fileUrl } from "../../lib/bridge";
import { clock, day } from "../../lib/format";
import { useEvents } from "../../lib/use-events";

const STEP = 100;
const MAX = 500; // the most sessions.list gives at once

/** What is being done to a session now, in words ("" when nothing). */
function work(s: SessionSummary): string {
  if (s.status === "recording") return "recording";
  if (s.status === "importing") return "importing";
  if (s.status === "transcribing") return `transcribing · ${s.pending_chunks} part${s.pending_chunks === 1 ? "" : "s"} left`;
  if (s.finding_speakers) return "finding speakers";
  if (s.notes_state === "running" || s.notes_state === "queued") return "writing notes";
  if (s.status === "failed" || s.status === "recovered") return s.status;
  return "";
}

/** The library: every meeting, newest first, grouped by day, each with its length, speakers and the first line
 * of its notes; a filter by title, speaker or words; several selected at once to export or delete. */
export function SessionList() {
  const toast = useToast();
  const queries = useQueryClient();
  const [typed, setTyped] = useState("");
  const [query, setQuery] = useState("");
  const [limit, setLimit] = useState(STEP);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  useEffect(() => { const t = window.setTimeout(() => setQuery(typed.trim()), 200); return () => window.clearTimeout(t); }, [typed]);
  const list = useQuery({ queryKey: ["sessions", query, limit], queryFn: () => call("sessions.list", { query, limit, offset: 0 }),
    placeholderData: (previous) => previous });
  useEvents(useCallback((e) => {
    if (["session_started", "session_stopped", "session_updated", "session_recovered", "summary_updated", "diarization_updated"].includes(e.type)) {
      void queries.invalidateQueries({ queryKey: ["sessions"] });
    }
  }, [queries]));
  const remove = useMutation({
    mutationFn: async (ids: string[]) => { for (const id of ids) await call("sessions.delete", { session_id: id }); },
    onSuccess: () => setChosen(new Set()),
    onError: (e) => toast(errorText(e)),
    onSettled: () => queries.invalidateQueries({ queryKey: ["sessions"] }),
  });
  const sessions = useMemo(() => list.data?.sessions ?? [], [list.data]);
  const days = useMemo(() => {
    const out: [string, SessionSummary[]][] = [];
    for (const s of sessions) {
      const d = day(s.created_at);
      const last = out[out.length - 1];
      if (last && last[0] === d) last[1].push(s); else out.push([d, [s]]);
    }
    return out;
  }, [sessions]);
  const total = list.data?.total ?? 0;
  const toggle = (id: string, on: boolean) => setChosen((c) => { const n = new Set(c); if (on) n.add(id); else n.delete(id); return n; });
  const exportChosen = () => {
    for (const id of chosen) {
      const a = document.createElement("a");
      a.href = fileUrl(`/api/sessions/${id}/export?format=md`);
      a.download = "";
      a.click();
    }
  };
  return (
    <section className="page library">
      <header className="page-head"><h1>Sessions</h1><span className="muted">{list.data ? `${total} meeting${total === 1 ? "" : "s"}` : ""}</span></header>
      <input type="search" className="search" aria-label="Filter sessions" placeholder="Filter by title, speaker or words said"
        value={typed} onChange={(e) => setTyped(e.target.value)} />
      {chosen.size > 0 && (
        <div className="selection" role="toolbar" aria-label="Selected sessions">
          <span>{chosen.size} selected</span>
          <button onClick={exportChosen}>Export as Markdown</button>
          <button className="danger" disabled={remove.isPending}
            onClick={() => { if (window.confirm(`Delete ${chosen.size} session${chosen.size === 1 ? "" : "s"} and their audio?`)) remove.mutate([...chosen]); }}>
            Delete
          </button>
          <button className="ghost" onClick={() => setChosen(new Set())}>Clear</button>
        </div>
      )}
      {list.isLoading && <p className="empty">Loading…</p>}
      {list.error && <p className="banner error">{errorText(list.error)}</p>}
      {!list.isLoading && sessions.length === 0 && (
        <p className="empty">{query ? `Nothing matches “${query}”.` : "No sessions yet: record or import something."}</p>
      )}
      {days.map(([d, group]) => (
        <section key={d} className="day" aria-label={d}>
          <h2>{d}</h2>
          <ul className="sessions">
            {group.map((s) => {
              const doing = work(s);
              return (
                <li key={s.id} data-session={s.id}>
                  <input type="checkbox" aria-label={`Select ${s.title}`} checked={chosen.has(s.id)} onChange={(e) => toggle(s.id, e.target.checked)} />
                  <div className="row-main">
                    <div className="row-top">
                      <a href={`#/sessions/${s.id}`} className="title">{s.title}</a>
                      <span className="muted">{new Date(s.created_at).toLocaleTimeString(undefined, { timeStyle: "short" })} · {clock(s.duration_ms)}</span>
                      {doing && <span className={`status ${s.status === "done" ? "working" : s.status}`}>{doing}</span>}
                    </div>
                    {s.people.length > 0 && <div className="people muted">{s.people.join(", ")}</div>}
                    {s.notes_line && <div className="first-line">{s.notes_line}</div>}
                  </div>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
      {total > sessions.length && (
        <div className="pager">
          {limit < MAX ? <button onClick={() => setLimit(Math.min(MAX, limit + STEP))}>Show older</button>
            : <span className="muted">The newest {MAX} are listed: filter to find older ones.</span>}
        </div>
      )}
    </section>
  );
}

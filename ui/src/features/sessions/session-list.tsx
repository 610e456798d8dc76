import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { errorText, useToast } from "../../components/toast";
import { call } from "../../lib/bridge";
import { clock, dateTime } from "../../lib/format";
import { go } from "../../lib/router";
import { useEvents } from "../../lib/use-events";

const PAGE = 20;

export function SessionList() {
  const toast = useToast();
  const queries = useQueryClient();
  const [page, setPage] = useState(0);
  const list = useQuery({ queryKey: ["sessions", page], queryFn: () => call("sessions.list", { limit: PAGE, offset: page * PAGE }) });
  useEvents(useCallback((e) => {
    if (["session_started", "session_stopped", "session_updated", "session_recovered"].includes(e.type)) {
      void queries.invalidateQueries({ queryKey: ["sessions"] });
    }
  }, [queries]));
  const remove = useMutation({
    mutationFn: (id: string) => call("sessions.delete", { session_id: id }),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["sessions"] }),
    onError: (e) => toast(errorText(e)),
  });
  const sessions = list.data?.sessions ?? [];
  const total = list.data?.total ?? 0;
  return (
    <section className="page">
      <header className="page-head"><h1>Sessions</h1></header>
      {list.isLoading && <p className="empty">Loading…</p>}
      {list.error && <p className="banner error">{errorText(list.error)}</p>}
      {!list.isLoading && sessions.length === 0 && <p className="empty">No sessions yet: record or import something.</p>}
      <ul className="sessions">
        {sessions.map((s) => {
          const { id, status } = s;
          return (
            <li key={id}>
              <a href={`#/sessions/${id}`} className="title">{s.title}</a>
              <span className="muted">{dateTime(s.created_at)}</span>
              <span className="muted">{clock(s.duration_ms)}</span>
              <span className={`status ${status}`}>
                {status === "transcribing" ? `transcribing (${s.pending_chunks} left)` : status}
              </span>
              <button className="ghost" onClick={() => go(`/sessions/${id}`)}>Open</button>
              <button className="ghost danger" aria-label={`Delete ${s.title}`}
                onClick={() => { if (window.confirm(`Delete "${s.title}" and its audio?`)) remove.mutate(id); }}>
                Delete
              </button>
            </li>
          );
        })}
      </ul>
      {total > PAGE && (
        <div className="pager">
          <button disabled={page === 0} onClick={() => setPage(page - 1)}>Newer</button>
          <span>{page * PAGE + 1}–{Math.min(total, (page + 1) * PAGE)} of {total}</span>
          <button disabled={(page + 1) * PAGE >= total} onClick={() => setPage(page + 1)}>Older</button>
        </div>
      )}
    </section>
  );
}

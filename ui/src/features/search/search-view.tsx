import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { errorText } from "../../components/toast";
import { call } from "../../lib/bridge";
import { clock, dateTime, snippetParts } from "../../lib/format";

export function SearchView() {
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  const [who, setWho] = useState("");
  const [speaker, setSpeaker] = useState("");
  useEffect(() => {
    const t = setTimeout(() => { setQuery(text.trim()); setSpeaker(who.trim()); }, 250);
    return () => clearTimeout(t);
  }, [text, who]);
  const hits = useQuery({ queryKey: ["search", query, speaker], queryFn: () => call("search", { query, speaker }),
    enabled: query.length > 0 });
  return (
    <section className="page">
      <header className="page-head"><h1>Search</h1></header>
      <input className="search" type="search" placeholder="Search every transcript…" aria-label="Search"
        autoFocus value={text} onChange={(e) => setText(e.target.value)} />
      <input className="search-speaker" placeholder="Said by (any speaker)" aria-label="Said by"
        value={who} onChange={(e) => setWho(e.target.value)} />
      {hits.error && <p className="banner error">{errorText(hits.error)}</p>}
      {query && hits.data?.length === 0 && <p className="empty">Nothing found for “{query}”.</p>}
      <ul className="hits">
        {(hits.data ?? []).map((h) => (
          <li key={`${h.kind}-${h.session_id}-${h.segment_id}`} className={h.kind}>
            <a href={h.kind === "document" ? `#/documents/${h.document_id}?p=${h.position}`
              : h.kind === "memo" ? `#/sessions/${h.session_id}` : `#/sessions/${h.session_id}?t=${h.start_ms}`}>
              <span className="title">{h.title}</span>
              {h.kind === "memo" && <span className="who"> · Notes</span>}
              {h.kind === "document" && <span className="who"> · {h.page ? `page ${h.page}` : `passage ${h.position + 1}`}</span>}
              {h.speaker && <span className="who"> · {h.speaker}</span>}
              <span className="muted"> · {dateTime(h.created_at)}{h.kind === "segment" ? ` · at ${clock(h.start_ms)}` : ""}</span>
              <span className="snippet">
                {snippetParts(h.snippet).map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

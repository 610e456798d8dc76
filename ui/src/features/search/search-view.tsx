import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { AskBox } from "../../components/ask-box";
import { errorText } from "../../components/toast";
import { call } from "../../lib/bridge";
import { clock, dateTime, snippetParts } from "../../lib/format";
import { useEvents } from "../../lib/use-events";

const MODES = [["hybrid", "Words and meaning"], ["exact", "Exact words"], ["meaning", "Meaning only"]] as const;

export function SearchView() {
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  const [who, setWho] = useState("");
  const [speaker, setSpeaker] = useState("");
  const [mode, setMode] = useState("hybrid");
  const [indexing, setIndexing] = useState("");
  useEvents(useCallback((e) => {
    if (e.type === "index_updated") {
      setIndexing(e.state === "indexing" ? `Preparing search by meaning: ${e.done} of ${e.total}…` : "");
    }
  }, []));
  useEffect(() => {
    const t = setTimeout(() => { setQuery(text.trim()); setSpeaker(who.trim()); }, 250);
    return () => clearTimeout(t);
  }, [text, who]);
  const hits = useQuery({ queryKey: ["search", query, speaker, mode],
    queryFn: () => call("search", { query, speaker, mode }), enabled: query.length > 0 });
  return (
    <section className="page">
      <header className="page-head"><h1>Search</h1></header>
      <AskBox />
      <input className="search" type="search" placeholder="Search every transcript…" aria-label="Search"
        autoFocus value={text} onChange={(e) => setText(e.target.value)} />
      <input className="search-speaker" placeholder="Said by (any speaker)" aria-label="Said by"
        value={who} onChange={(e) => setWho(e.target.value)} />
      <select className="search-mode" aria-label="Match" value={mode} onChange={(e) => setMode(e.target.value)}>
        {MODES.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
      </select>
      {indexing && <p className="muted indexing">{indexing}</p>}
      {hits.error && <p className="banner error">{errorText(hits.error)}</p>}
      {query && hits.data?.length === 0 && <p className="empty">Nothing found for “{query}”.</p>}
      <ul className="hits">
        {(hits.data ?? []).map((h) => (
          <li key={`${h.kind}-${h.session_id}-${h.segment_id}-${h.document_id}-${h.position}`}
            className={`${h.kind} ${h.match}`}>
            <a href={h.kind === "document" ? `#/documents/${h.document_id}?p=${h.position}`
              : h.kind === "memo" ? `#/sessions/${h.session_id}` : `#/sessions/${h.session_id}?t=${h.start_ms}`}>
              <span className="title">{h.title}</span>
              {h.kind === "memo" && <span className="who"> · Notes</span>}
              {h.kind === "document" && <span className="who"> · {h.page ? `page ${h.page}` : `passage ${h.position + 1}`}</span>}
              {h.speaker && <span className="who"> · {h.speaker}</span>}
              {h.match === "meaning" && <span className="similar" title={`similarity ${h.score.toFixed(2)}`}> · similar meaning</span>}
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

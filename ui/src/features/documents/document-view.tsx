import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { errorText } from "../../components/toast";
import { call } from "../../lib/bridge";

/** A document's text, passage by passage with its PDF page; `passage` (from a search hit) is shown and marked. */
export function DocumentView({ id, passage }: { id: string; passage?: number }) {
  const doc = useQuery({ queryKey: ["document", id], queryFn: () => call("documents.get", { document_id: id }) });
  const target = useRef<HTMLDivElement | null>(null);
  useEffect(() => { target.current?.scrollIntoView({ block: "center" }); }, [doc.data, passage]);
  if (doc.isLoading) return <section className="page"><p className="empty">Loading…</p></section>;
  if (doc.error || !doc.data) return <section className="page"><p className="banner error">{errorText(doc.error)}</p></section>;
  const d = doc.data;
  let lastPage: number | null = null;
  return (
    <section className="page document">
      <header className="page-head"><h1>{d.title}</h1></header>
      <div className="passages" data-testid="document-text">
        {d.passage_list.map((p) => {
          const pageMark = p.page !== null && p.page !== lastPage ? <h2 className="page-mark">Page {p.page}</h2> : null;
          lastPage = p.page;
          const here = p.position === passage;
          return (
            <div key={p.position}>
              {pageMark}
              <div ref={here ? target : undefined} className={`passage ${here ? "current" : ""}`} data-passage={p.position}>
                {p.text.split("\n").map((line, i) => <p key={i}>{line}</p>)}
              </div>
            </div>
          );
        })}
      </div>
    </section>
  );
}

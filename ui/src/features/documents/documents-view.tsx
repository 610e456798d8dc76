import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorText, useToast } from "../../components/toast";
import type { DocumentAdded } from "../../lib/api-types";
import { call, isDesktop } from "../../lib/bridge";
import { bytes, dateTime } from "../../lib/format";

/** Documents kept beside the sessions: PDF, DOCX, TXT and Markdown, searched with the transcripts. */
export function DocumentsView() {
  const toast = useToast();
  const queries = useQueryClient();
  const docs = useQuery({ queryKey: ["documents"], queryFn: () => call("documents.list") });
  const [path, setPath] = useState("");
  const report = (added: DocumentAdded[]) => {
    for (const a of added) if (a.error) toast(a.error);
    const ok = added.filter((a) => a.document).length;
    if (ok) toast(`${ok} document${ok === 1 ? "" : "s"} added`, "info");
    void queries.invalidateQueries({ queryKey: ["documents"] });
  };
  const addPath = useMutation({ mutationFn: () => call("documents.add", { paths: [path] }),
    onSuccess: (added) => { report(added); if (added.every((a) => !a.error)) setPath(""); }, onError: (e) => toast(errorText(e)) });
  const choose = useMutation({ mutationFn: () => call("dialog.add_documents", {}), onSuccess: report, onError: (e) => toast(errorText(e)) });
  const remove = useMutation({ mutationFn: (id: string) => call("documents.delete", { document_id: id }),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ["documents"] }), onError: (e) => toast(errorText(e)) });
  return (
    <section className="page">
      <header className="page-head">
        <h1>Documents</h1>
        {isDesktop() && <button className="primary" onClick={() => choose.mutate()}>Add documents…</button>}
      </header>
      <p className="muted">Agendas, slides exported as PDF, minutes: their text is searched with your transcripts. A copy is kept with your sessions.</p>
      <form className="inline" onSubmit={(e) => { e.preventDefault(); addPath.mutate(); }}>
        <input placeholder="Path to a PDF, DOCX, TXT or Markdown file on this computer" aria-label="Document path"
          value={path} onChange={(e) => setPath(e.target.value)} />
        <button disabled={!path || addPath.isPending}>Add document</button>
      </form>
      {docs.error && <p className="banner error">{errorText(docs.error)}</p>}
      {docs.data?.length === 0 && <p className="empty">No documents yet.</p>}
      <ul className="documents">
        {(docs.data ?? []).map((d) => (
          <li key={d.id}>
            <a href={`#/documents/${d.id}`}>{d.title}</a>
            <span className="muted"> · {d.kind.toUpperCase()} · {d.pages ? `${d.pages} pages · ` : ""}{bytes(d.bytes)} · added {dateTime(d.added_at)}</span>
            <button className="ghost" aria-label={`Remove ${d.title}`} onClick={() => { if (window.confirm(`Remove ${d.title}? The original file is not touched.`)) remove.mutate(d.id); }}>Remove</button>
          </li>
        ))}
      </ul>
    </section>
  );
}

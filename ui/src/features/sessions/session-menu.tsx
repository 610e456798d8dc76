import { useEffect, useRef, useState } from "react";
import { EXPORT_FORMATS, type ExportFormat, LANGUAGES, type ModelInfo } from "../../lib/api-types";
import { fileUrl, isDesktop } from "../../lib/bridge";

/** What is done to a meeting now and then, kept out of the way in one menu: export it, transcribe it again with
 * another model or language, rename it, delete it. */
export function SessionMenu({ id, models, onSave, onRedo, onRename, onDelete }: {
  id: string;
  models: ModelInfo[];
  onSave: (format: ExportFormat) => void;
  onRedo: (model: string, language: string) => void;
  onRename: () => void;
  onDelete: () => void;
}) {
  const menu = useRef<HTMLDetailsElement>(null);
  const [model, setModel] = useState("");
  const [language, setLanguage] = useState("");
  useEffect(() => { // closes on a click elsewhere or Escape
    const close = (e: Event) => {
      const m = menu.current;
      if (m?.open && (e instanceof KeyboardEvent ? e.key === "Escape" : !m.contains(e.target instanceof Node ? e.target : null))) m.open = false;
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => { document.removeEventListener("mousedown", close); document.removeEventListener("keydown", close); };
  }, []);
  return (
    <details className="menu" ref={menu}>
      <summary className="button ghost">Export & more</summary>
      <div className="menu-body">
        <div className="menu-group" role="group" aria-label="Export">
          <span className="muted">Export</span>
          {EXPORT_FORMATS.map((f) => isDesktop() ? (
            <button key={f} className="ghost" onClick={() => onSave(f)}>{f.toUpperCase()}</button>
          ) : (
            <a key={f} className="button ghost" href={fileUrl(`/api/sessions/${id}/export?format=${f}`)} download>{f.toUpperCase()}</a>
          ))}
        </div>
        <div className="menu-group" role="group" aria-label="Transcribe again">
          <span className="muted">Transcribe again</span>
          <select aria-label="Model for re-transcription" value={model} onChange={(e) => setModel(e.target.value)}>
            <option value="">Same model</option>
            {models.map((m) => <option key={m.name} value={m.name}>{m.name}</option>)}
          </select>
          <select aria-label="Language for re-transcription" value={language} onChange={(e) => setLanguage(e.target.value)}>
            <option value="">Same language</option>
            {["auto", ...LANGUAGES].map((l) => <option key={l} value={l}>{l === "auto" ? "Detect" : l}</option>)}
          </select>
          <button onClick={() => onRedo(model, language)}>Re-transcribe all</button>
        </div>
        <div className="menu-group">
          <button className="ghost" onClick={onRename}>Rename</button>
          <button className="ghost danger" onClick={onDelete}>Delete</button>
        </div>
      </div>
    </details>
  );
}

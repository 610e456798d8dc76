import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorText, useToast } from "../../components/toast";
import { call } from "../../lib/bridge";
import { bytes } from "../../lib/format";

export function SettingsView() {
  const toast = useToast();
  const queries = useQueryClient();
  const models = useQuery({ queryKey: ["models"], queryFn: () => call("models.list") });
  const settings = useQuery({ queryKey: ["settings"], queryFn: () => call("settings.get") });
  const info = useQuery({ queryKey: ["app-info"], queryFn: () => call("app.info") });
  const [path, setPath] = useState("");
  const done = () => void queries.invalidateQueries();
  const setDefault = useMutation({ mutationFn: (name: string) => call("models.set_default", { name }), onSuccess: done, onError: (e) => toast(errorText(e)) });
  const importModel = useMutation({
    // a GGUF file is a language model for summaries; anything else a Whisper model
    mutationFn: async () => path.trim().toLowerCase().endsWith(".gguf")
      ? `Summaries now use ${String((await call("summaries.import_model", { path: path.trim() })).value)}.`
      : `Imported ${(await call("models.import", { path: path.trim() })).name}.`,
    onSuccess: (message) => { setPath(""); toast(message); done(); }, onError: (e) => toast(errorText(e)),
  });
  const set = useMutation({
    mutationFn: (p: { name: string; value: string | number | boolean }) => call("settings.set", p),
    onSuccess: done, onError: (e) => { toast(errorText(e)); done(); },
  });
  return (
    <section className="page">
      <header className="page-head"><h1>Models & settings</h1></header>
      <h2>Models</h2>
      <table className="models">
        <thead><tr><th>Name</th><th>Type</th><th>Languages</th><th>Size</th><th /></tr></thead>
        <tbody>
          {(models.data ?? []).map((m) => (
            <tr key={m.name}>
              <td>{m.name}</td><td>{m.weight_type}</td><td>{m.languages}</td><td>{bytes(m.bytes)}</td>
              <td>{m.default ? <strong>Default</strong> : <button className="ghost" onClick={() => setDefault.mutate(m.name)}>Make default</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline" onSubmit={(e) => { e.preventDefault(); importModel.mutate(); }}>
        <input placeholder="Path to a ggml .bin, a faster-whisper folder or a GGUF language model" aria-label="Model path" value={path} onChange={(e) => setPath(e.target.value)} />
        <button disabled={!path}>Import model</button>
      </form>
      <h2>Settings</h2>
      <div className="settings">
        {(settings.data ?? []).map((s) => {
          const { name, value } = s;
          return (
            <label key={name} className="setting">
              <span className="name">{name}</span>
              {typeof value === "boolean" ? (
                <input type="checkbox" checked={value} onChange={(e) => set.mutate({ name, value: e.target.checked })} />
              ) : typeof value === "number" ? (
                <input type="number" defaultValue={value} step="any" onBlur={(e) => set.mutate({ name, value: Number(e.target.value) })} />
              ) : (
                <input defaultValue={value} onBlur={(e) => set.mutate({ name, value: e.target.value })} />
              )}
              <span className="help">{s.help}</span>
            </label>
          );
        })}
      </div>
      <h2>About</h2>
      <dl className="about" aria-label="About AIWisper">
        <dt>Version</dt><dd data-testid="app-version">{info.data ? `AIWisper ${info.data.version}` : "…"}</dd>
        <dt>Data folder</dt><dd>{info.data?.data_dir ?? "…"}</dd>
        <dt>Log file</dt><dd>{info.data?.log_file ?? "…"}</dd>
      </dl>
    </section>
  );
}

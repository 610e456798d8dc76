import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorText, useToast } from "../../components/toast";
import type { Voice } from "../../lib/api-types";
import { call } from "../../lib/bridge";
import { dateTime } from "../../lib/format";

/** The voice library: people's voices remembered across meetings (a vector each, never audio). Naming a speaker
 * in a session teaches a voice; later meetings name that person by themselves. Rename, merge or forget here. */
export function VoicesView() {
  const toast = useToast();
  const queries = useQueryClient();
  const list = useQuery({ queryKey: ["voices"], queryFn: () => call("voices.list") });
  const done = (voices: Voice[]) => queries.setQueryData(["voices"], voices);
  const onError = (e: unknown) => toast(errorText(e));
  const rename = useMutation({ mutationFn: (p: { name: string; new_name: string }) => call("voices.rename", p), onSuccess: done, onError });
  const merge = useMutation({ mutationFn: (p: { name: string; into: string }) => call("voices.merge", p), onSuccess: done, onError });
  const forget = useMutation({ mutationFn: (name: string) => call("voices.forget", { name }), onSuccess: done, onError });
  const voices = list.data ?? [];
  return (
    <section className="page">
      <header className="page-head"><h1>Voices</h1></header>
      <p className="muted">When you name a speaker in a meeting, their voice is remembered here as numbers, never as audio,
        and later meetings name them for you. Your own voice, "Me", is learnt from your microphone in calls.</p>
      {list.error && <p className="banner error">{errorText(list.error)}</p>}
      {list.data && voices.length === 0 && <p className="empty">No voices yet. Name a speaker in a session to add one.</p>}
      <ul className="documents" aria-label="Voices">
        {voices.map((v) => <VoiceRow key={v.id} voice={v} others={voices.filter((o) => o.id !== v.id)}
          onRename={(new_name) => rename.mutate({ name: v.name, new_name })}
          onMerge={(into) => merge.mutate({ name: v.name, into })}
          onForget={() => { if (window.confirm(`Forget ${v.name}'s voice? Past sessions keep the name.`)) forget.mutate(v.name); }} />)}
      </ul>
    </section>
  );
}

function VoiceRow({ voice, others, onRename, onMerge, onForget }: {
  voice: Voice; others: Voice[]; onRename: (name: string) => void; onMerge: (into: string) => void; onForget: () => void;
}) {
  const [editing, setEditing] = useState(false);
  return (
    <li>
      {editing ? (
        <input aria-label={`New name for ${voice.name}`} autoFocus defaultValue={voice.name}
          onKeyDown={(e) => {
            if (e.key === "Enter") { onRename(e.currentTarget.value); setEditing(false); }
            if (e.key === "Escape") setEditing(false);
          }}
          onBlur={() => setEditing(false)} />
      ) : <strong>{voice.name}</strong>}
      <span className="muted"> · learnt from {voice.taught} speaker{voice.taught === 1 ? "" : "s"} · names speakers in {voice.sessions} session{voice.sessions === 1 ? "" : "s"} · {dateTime(new Date(voice.updated * 1000).toISOString())}</span>
      <button className="ghost" onClick={() => setEditing(true)} aria-label={`Rename ${voice.name}`}>Rename</button>
      {others.length > 0 && (
        <select aria-label={`Merge ${voice.name} into`} value="" onChange={(e) => onMerge(e.target.value)}>
          <option value="">Same person as…</option>
          {others.map((o) => <option key={o.id} value={o.name}>{o.name}</option>)}
        </select>
      )}
      <button className="ghost" onClick={onForget} aria-label={`Forget ${voice.name}`}>Forget</button>
    </li>
  );
}

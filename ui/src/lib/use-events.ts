import { useEffect, useState } from "react";
import type { ServerEvent } from "./api-types";
import { events, type Status } from "./events";

export function useEvents(listener: (e: ServerEvent) => void): void {
  useEffect(() => events.subscribe(listener), [listener]);
}

export function useConnection(): Status {
  const [status, setStatus] = useState(events.status);
  useEffect(() => {
    const off = events.onStatus(setStatus);
    setStatus(events.status); // it may have changed before this effect subscribed
    return off;
  }, []);
  return status;
}

// Load data for a page: { data, error, reload }. Late answers for an old request are dropped.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from './api.js';

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: string | null; reload(): void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const run = useCallback(load, deps);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    run().then(
      (d) => { if (mine === generation.current) { setData(d); setError(null); } },
      (e: unknown) => { if (mine === generation.current) setError(errorText(e)); },
    );
  }, [run]);
  useEffect(reload, [reload]);
  return { data, error, reload };
}

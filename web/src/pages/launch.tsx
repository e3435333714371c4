// Users: the images they may launch. Launch creates the session and opens its page, which
// follows the progress live. An image with a persistent profile the user may use offers its
// three modes (asked from /effective-mounts, which knows the user's groups).
import { useEffect, useState } from 'react';
import { api, errorText } from '../api.js';
import { navigate } from '../router.js';
import type { Image, MountsAnswer, ProfileMode, ProfileOffer, Session } from '../types.js';
import { useLoad } from '../use-load.js';

// short enough to fit a tile's select (the confirm for Reset says what it deletes)
const MODE_LABELS: Record<ProfileMode, string> = {
  enabled: 'Enabled: my profile',
  disabled: 'Disabled: a throw-away home',
  reset: 'Reset: delete it, start afresh',
};

export function LaunchPage() {
  const { data, error } = useLoad(() => api<Image[]>('GET', '/images'), []);
  const [launching, setLaunching] = useState<string | null>(null);
  const [launchError, setLaunchError] = useState<string | null>(null);
  const [profiles, setProfiles] = useState<Record<string, ProfileOffer>>({});
  useEffect(() => {
    for (const i of data ?? []) {
      if (!i.enabled || !i.persistent_profile_path) continue;
      api<MountsAnswer>('GET', `/effective-mounts?image=${encodeURIComponent(i.image_id)}`)
        .then((m) => m.profile && setProfiles((p) => ({ ...p, [i.image_id]: m.profile as ProfileOffer })))
        .catch(() => undefined); // no offer shown: the launch gets the server's default
    }
  }, [data]);
  const launch = async (image: Image, mode?: ProfileMode) => {
    if (mode === 'reset' && !window.confirm(`Delete everything in your ${image.friendly_name || image.name} profile? This cannot be undone.`)) return;
    setLaunching(image.image_id);
    setLaunchError(null);
    try {
      const s = await api<Session>('POST', '/sessions', { image: image.image_id, ...(mode ? { persistent_profile_mode: mode } : {}) });
      navigate(`/sessions/${s.id}`);
    } catch (err) {
      setLaunchError(`${image.friendly_name || image.name}: ${errorText(err)}`);
      setLaunching(null);
    }
  };
  return <LaunchView images={data?.filter((i) => i.enabled)} error={error ?? launchError} launching={launching} onLaunch={launch} profiles={profiles} />;
}

export function LaunchView(p: { images: Image[] | undefined; error: string | null; launching: string | null; onLaunch(i: Image, mode?: ProfileMode): void; profiles?: Record<string, ProfileOffer> }) {
  return (
    <section>
      <h1>Launch a workspace</h1>
      {p.error && <p className="error" role="alert">{p.error}</p>}
      {!p.images ? <p className="loading">Loading…</p> : p.images.length === 0 ? <p className="muted">No workspace is open to you yet.</p> : (
        <div className="tiles">{p.images.map((i) => <LaunchTile key={i.image_id} image={i} offer={p.profiles?.[i.image_id]} launching={p.launching} onLaunch={p.onLaunch} />)}</div>
      )}
    </section>
  );
}

function LaunchTile(p: { image: Image; offer: ProfileOffer | undefined; launching: string | null; onLaunch(i: Image, mode?: ProfileMode): void }) {
  const [mode, setMode] = useState<ProfileMode>('enabled');
  const i = p.image;
  const offered = p.offer?.allowed === true;
  return (
    <div className="tile card" data-image={i.name}>
      <h2>{i.friendly_name || i.name}</h2>
      <p className="muted small"><code>{i.docker_image}</code></p>
      <p className="small">{Object.values(i.volume_mappings).length} persistent folder(s)</p>
      {offered && (
        <label className="small">Home folder{' '}
          <select name="persistent_profile_mode" value={mode} onChange={(e) => setMode(e.target.value as ProfileMode)}>
            {p.offer!.modes.map((m) => <option key={m} value={m}>{MODE_LABELS[m]}</option>)}
          </select>
        </label>
      )}
      {p.offer && !offered && i.persistent_profile_path && <p className="muted small" title={p.offer.reason ?? ''}>A fresh home each time (no persistent profile for you)</p>}
      <button type="button" disabled={p.launching !== null} onClick={() => p.onLaunch(i, offered ? mode : undefined)}>{p.launching === i.image_id ? 'Launching…' : 'Launch'}</button>
    </div>
  );
}

// Administrators: what a session of an image launched by a user would mount (GET /effective-mounts).
import { useState } from 'react';
import { api } from '../api.js';
import type { Image, MountsAnswer, User } from '../types.js';
import { useLoad } from '../use-load.js';
import { MountsTable } from '../components/mounts-table.js';

export function MountsPage() {
  const users = useLoad(() => api<User[]>('GET', '/users'), []);
  const images = useLoad(() => api<Image[]>('GET', '/images'), []);
  const [pick, setPick] = useState({ user: '', image: '' });
  const answer = useLoad(
    () => (pick.user && pick.image ? api<MountsAnswer>('GET', `/effective-mounts?user=${encodeURIComponent(pick.user)}&image=${encodeURIComponent(pick.image)}`) : Promise.resolve(null)),
    [pick.user, pick.image],
  );
  return <MountsView users={users.data ?? []} images={images.data ?? []} pick={pick} onPick={setPick} answer={answer.data ?? null} error={answer.error} />;
}

export function MountsView(p: { users: User[]; images: Image[]; pick: { user: string; image: string }; onPick(x: { user: string; image: string }): void; answer: MountsAnswer | null; error: string | null }) {
  return (
    <section>
      <h1>Effective mounts</h1>
      <div className="row filters">
        <label>User <select name="user" value={p.pick.user} onChange={(e) => p.onPick({ ...p.pick, user: e.target.value })}>
          <option value="">choose…</option>{p.users.map((u) => <option key={u.user_id} value={u.username}>{u.username}</option>)}
        </select></label>
        <label>Image <select name="image" value={p.pick.image} onChange={(e) => p.onPick({ ...p.pick, image: e.target.value })}>
          <option value="">choose…</option>{p.images.map((i) => <option key={i.image_id} value={i.name}>{i.name}</option>)}
        </select></label>
      </div>
      {p.error && <p className="error" role="alert">{p.error}</p>}
      {p.answer && (<>
        <p className="muted">A session of <strong>{p.answer.image.name}</strong> launched by <strong>{p.answer.user.username}</strong> would mount:</p>
        <MountsTable view={p.answer} />
      </>)}
      {!p.answer && !p.error && <p className="muted">Choose a user and an image.</p>}
    </section>
  );
}

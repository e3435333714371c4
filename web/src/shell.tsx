// The signed-in frame: navigation by role, and the page the path names.
import { useEffect } from 'react';
import { Link, navigate, useRoute } from './router.js';
import type { Me } from './types.js';
import { ImagesPage } from './pages/images.js';
import { ImageEditorPage } from './pages/image-editor.js';
import { GroupsPage } from './pages/groups.js';
import { GroupEditorPage } from './pages/group-editor.js';
import { UsersPage } from './pages/users.js';
import { MountsPage } from './pages/mounts.js';
import { AuditPage } from './pages/audit.js';
import { ApiKeysPage } from './pages/api-keys.js';
import { LaunchPage } from './pages/launch.js';
import { SessionsPage } from './pages/sessions.js';
import { SessionPage } from './pages/session.js';
import { StoragePage } from './pages/storage.js';

const USER_NAV = [['/launch', 'Launch'], ['/sessions', 'My sessions']] as const;
const ADMIN_NAV = [
  ['/admin/images', 'Images'], ['/admin/groups', 'Groups'], ['/admin/users', 'Users'], ['/admin/mounts', 'Effective mounts'],
  ['/admin/sessions', 'All sessions'], ['/admin/storage', 'Storage'], ['/admin/audit', 'Audit log'], ['/admin/api-keys', 'API keys'],
] as const;

function page(path: string, me: Me) {
  const m = (re: RegExp) => re.exec(path);
  let x: RegExpExecArray | null;
  if (path === '/launch') return <LaunchPage />;
  if (path === '/sessions') return <SessionsPage all={false} username={me.user.username} />;
  if ((x = m(/^\/sessions\/([^/]+)$/))) return <SessionPage id={decodeURIComponent(x[1]!)} />;
  // not in a user's navigation, but opened by URL it shows the API's own refusal (403)
  if (path === '/admin/api-keys') return <ApiKeysPage />;
  if (!me.is_admin) return null;
  if (path === '/admin/images') return <ImagesPage />;
  if (path === '/admin/images/new') return <ImageEditorPage id={null} />;
  if ((x = m(/^\/admin\/images\/([^/]+)$/))) return <ImageEditorPage id={decodeURIComponent(x[1]!)} />;
  if (path === '/admin/groups') return <GroupsPage />;
  if ((x = m(/^\/admin\/groups\/([^/]+)$/))) return <GroupEditorPage id={decodeURIComponent(x[1]!)} />;
  if (path === '/admin/users') return <UsersPage />;
  if (path === '/admin/mounts') return <MountsPage />;
  if (path === '/admin/sessions') return <SessionsPage all username={me.user.username} />;
  if (path === '/admin/audit') return <AuditPage />;
  if (path === '/admin/storage') return <StoragePage />;
  return null;
}

export function Shell({ me, onSignOut }: { me: Me; onSignOut(): void }) {
  const path = useRoute();
  const home = me.is_admin ? '/admin/images' : '/launch';
  const content = page(path, me);
  useEffect(() => {
    if (content === null) navigate(home, true);
  }, [content, home]);
  const nav = me.is_admin ? [...USER_NAV, ...ADMIN_NAV] : USER_NAV;
  return (
    <div className="shell">
      <header>
        <span className="brand">Tether</span>
        <nav aria-label="main">
          {nav.map(([to, label]) => <Link key={to} to={to} className={path === to || path.startsWith(`${to}/`) ? 'active' : undefined}>{label}</Link>)}
        </nav>
        <span className="who">{me.user.username}{me.is_admin ? ' (administrator)' : ''}</span>
        <button type="button" className="link" onClick={onSignOut}>Sign out</button>
      </header>
      <main>{content}</main>
    </div>
  );
}

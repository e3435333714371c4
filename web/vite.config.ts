// The web UI build: web/ -> web/dist, served by `tether server` (src/api/web-ui.ts).
// The dev server proxies /api to a running `tether server` (TETHER_URL, default :8080).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 400 },
  server: { proxy: { '/api': process.env.TETHER_URL ?? 'http://127.0.0.1:8080' } },
});

// The admin page's build: plain files for the admin function to serve (same origin as the API).
// No inline script and no CDN: the page runs under `default-src 'self'`.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    outDir: "../functions/admin/static",
    emptyOutDir: true,
    assetsDir: "assets",
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: "es2022",
    chunkSizeWarningLimit: 600,
  },
  resolve: { alias: { react: "preact/compat", "react-dom": "preact/compat" } },
});

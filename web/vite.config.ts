import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run dev` proxies the API and the OAuth pages to the local gateway of `make up`.
const gateway = "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      "/api": gateway,
      "/oauth": gateway,
      "/login": gateway,
    },
  },
  build: { sourcemap: false, chunkSizeWarningLimit: 1200 },
});

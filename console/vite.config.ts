// Builds the console (React, JSX through esbuild, no plugins) into build/console/, which `warden serve`
// serves at /. `vite console` runs it for development against a server on 127.0.0.1:8080.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: '../build/console',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/v1': 'http://127.0.0.1:8080', '/health': 'http://127.0.0.1:8080' },
  },
});

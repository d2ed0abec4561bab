/// <reference types="vitest/config" />
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// Go embeds frontend/dist (//go:embed all:frontend/dist), which fails on an empty directory,
// so dist/.gitkeep is committed. Vite empties dist on each build; put the file back.
function keepDist(outDir: string): Plugin {
  return {
    name: 'nexus-keep-dist',
    apply: 'build',
    closeBundle() {
      writeFileSync(join(outDir, '.gitkeep'), '');
    },
  };
}

export default defineConfig({
  plugins: [svelte(), svelteTesting(), keepDist('dist')],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test-setup.ts'],
    mockReset: true,
    restoreMocks: true,
  },
});

#!/usr/bin/env node
// cpd runs its TypeScript sources directly (tsx), so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');

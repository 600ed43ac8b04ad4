#!/usr/bin/env node
// The `keymint` operator command. Keymint runs from its TypeScript sources through tsx.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')

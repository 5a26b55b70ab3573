// Writes nuages-messages.json for messages_oracle.py: each message set, the overflow through
// the cookie storage alone, and the overflow through the fallback storage (cookie + session),
// as Nuages writes them at the cases' clock.
// Run: npx node tests/contrib/messages/django/make-nuages-messages.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configure, setup } from '../../../../src/conf/index.ts';
import { messageCases, nuagesWrites } from './message-cases.ts';

configure({ SECRET_KEY: messageCases.secretKey, INSTALLED_APPS: ['nuages/contrib/sessions'], SESSION_ENGINE: 'cache' });
await setup();
Date.now = () => messageCases.now * 1000;
const written = await nuagesWrites();
writeFileSync(join(import.meta.dirname, 'nuages-messages.json'), `${JSON.stringify(written, null, 1)}\n`);

import { buildApp } from './app.ts';
import { discoverJwksUri } from './bearer-auth/index.ts';
import { ConfigError, loadConfig } from './config.ts';
import { closeOnSignals } from './shutdown.ts';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const jwksUri = await discoverJwksUri(config.issuer);
  const app = await buildApp({
    issuer: config.issuer,
    audience: config.audience,
    jwksUri,
    logger: true,
    cacheMaxAgeMs: config.jwksCacheMaxAgeMs,
  });
  closeOnSignals(app);
  await app.listen({ port: config.port, host: config.host });
  app.log.info({ issuer: config.issuer, audience: config.audience, jwksUri }, 'resource server ready');
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error(`resource server failed to start: ${String(err)}`);
  }
  process.exit(1);
});

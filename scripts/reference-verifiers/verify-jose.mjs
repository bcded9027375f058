// One-off (docs/switch.md): verify a switch token with the jose reference library, configured
// only with issuer, audience and the JWKS, requiring typ at+jwt.
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, jwtVerify } from 'jose';
const [jwksFile, tokenFile, issuer, audience] = process.argv.slice(2);
const jwks = createLocalJWKSet(JSON.parse(readFileSync(jwksFile, 'utf8')));
const { payload, protectedHeader } = await jwtVerify(readFileSync(tokenFile, 'utf8').trim(), jwks, { issuer, audience, typ: 'at+jwt', algorithms: ['ES256'] });
console.log('jose: valid', JSON.stringify(protectedHeader), Object.keys(payload).join(','));

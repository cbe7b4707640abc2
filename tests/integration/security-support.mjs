// Helpers shared by the security suites (security*.test.mjs): JWTs signed with any key and any
// header (the attacker's toolbox), and redis-cli as any Redis user of a test stack. Node standard
// library only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function unique(prefix) {
    return `${prefix}${crypto.randomBytes(5).toString('hex')}`;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function b64url(value) {
    return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))
        .toString('base64url');
}

/** The header and claims of a compact JWS, decoded. */
export function decodeJwt(token) {
    const [header, payload] = token.split('.');
    return { header: JSON.parse(Buffer.from(header, 'base64url').toString()),
        claims: JSON.parse(Buffer.from(payload, 'base64url').toString()) };
}

/**
 * A compact JWS over exactly this header and these claims. key: a private KeyObject (RS256) or
 * a string/Buffer (HS256, whatever header.alg says); null makes an empty signature.
 */
export function signJwt(header, claims, key) {
    const input = `${b64url(header)}.${b64url(claims)}`;
    if (key === null) return `${input}.`;
    const signature = (typeof key === 'string' || Buffer.isBuffer(key))
        ? crypto.createHmac('sha256', key).update(input).digest()
        : crypto.sign('RSA-SHA256', Buffer.from(input), key);
    return `${input}.${signature.toString('base64url')}`;
}

/** The stack's real JWT signing key (the attacker is assumed not to have it; the test does). */
export function signingKey(stack) {
    return crypto.createPrivateKey(
        fs.readFileSync(path.join(stack.dataDir, 'keys', 'jwt-private.pem')));
}

/** The password of a Redis user of the stack (default, auth, accounts, transactions, audit). */
export function redisPassword(stack, user) {
    const file = user === 'default' ? 'redis-password' : `redis-${user}-password`;
    return fs.readFileSync(path.join(stack.dataDir, 'keys', file), 'utf8').trim();
}

/**
 * redis-cli against the stack's Redis as `user` with that user's password (user null: no AUTH at
 * all). Synchronous; returns the reply text, errors included, as redis-cli prints them.
 */
export function redisCli(stack, user, ...args) {
    const password = user === null ? null : redisPassword(stack, user);
    return redisCliWithPassword(stack, user, password, ...args);
}

/** redis-cli as `user` with the given password (a wrong one, say). */
export function redisCliWithPassword(stack, user, password, ...args) {
    const auth = user === null ? [] : ['--user', user];
    const env = { ...process.env };
    delete env.REDISCLI_AUTH;
    if (password !== null) env.REDISCLI_AUTH = password;
    const result = spawnSync('redis-cli', ['--no-auth-warning', '-h', '127.0.0.1',
        '-p', String(stack.redisPort), ...auth, ...args], { env, encoding: 'utf8', timeout: 10_000 });
    assert.equal(result.error, undefined, `redis-cli ran: ${result.error}`);
    return `${result.stdout}${result.stderr}`.trim();
}
